"""`proplens serve`: the web page and HTTP API, served by uvicorn."""

from __future__ import annotations

import click

from proplens.api import DEFAULT_MAX_BODY_BYTES, create_app
from proplens.cli.analyze import load_pipeline


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "-d",
    "--db",
    envvar="PROPLENS_DB",
    help="Database URL or SQLite path of analysed articles (enables the corpus view).",
)
@click.option(
    "--max-body-bytes",
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body accepted (bigger gets 413).",
)
@click.option(
    "-m",
    "--model",
    envvar="PROPLENS_MODEL",
    help="A model folder or `module:callable` (default: the shipped model).",
)
@click.option(
    "-t",
    "--threshold",
    type=click.FloatRange(0, 1),
    help="Keep only spans scoring at least this (default: the model's own).",
)
def serve_cmd(
    host: str,
    port: int,
    db: str | None,
    max_body_bytes: int,
    model: str | None,
    threshold: float | None,
) -> None:
    """Serve the web page at / and the API under /api (OpenAPI docs at /docs)."""
    import uvicorn

    pipeline = load_pipeline(model, threshold)
    store = None
    if db:
        from proplens.storage import Store

        store = Store(db)
    app = create_app(pipeline=pipeline, store=store, max_body_bytes=max_body_bytes)
    click.echo(
        f"proplens: model {pipeline.name} {pipeline.version}; open http://{host}:{port}/", err=True
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


commands = [serve_cmd]
