"""`proplens serve`: the web page and HTTP API, served by uvicorn."""

from __future__ import annotations

import click

from proplens.api import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CHARS, LOOPBACK_HOSTS, create_app
from proplens.cli.analyze import load_pipeline
from proplens.cli.options import model_option, threshold_option

WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def allowed_hosts(host: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The `Host` names the server answers to: loopback, the `--host` address, and `extra`."""
    names = [*LOOPBACK_HOSTS, *extra]
    if host not in WILDCARD_HOSTS:
        names.append(f"[{host}]" if ":" in host and not host.startswith("[") else host)
    return names


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
    "--max-chars",
    default=DEFAULT_MAX_CHARS,
    show_default=True,
    type=click.IntRange(1),
    help="Longest article text analysed, in characters (longer gets 413).",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests addressed to this host name (repeatable; `*` for any). "
    "Loopback names and --host are always allowed; others get 400, against DNS rebinding.",
)
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help='Let `{"url": ...}` fetch private and loopback addresses even when listening beyond '
    "loopback (refused then by default, so others cannot reach your network through the server).",
)
@model_option(factories=True)
@threshold_option
def serve_cmd(
    host: str,
    port: int,
    db: str | None,
    max_body_bytes: int,
    max_chars: int,
    allow_hosts: tuple[str, ...],
    model: str | None,
    threshold: float | None,
    allow_private_urls: bool = False,
) -> None:
    """Serve the web page at / and the API under /api (OpenAPI docs at /docs)."""
    import uvicorn

    pipeline = load_pipeline(model, threshold)
    store = None
    if db:
        from proplens.storage import Store

        store = Store(db)
    app = create_app(
        pipeline=pipeline,
        store=store,
        max_body_bytes=max_body_bytes,
        max_chars=max_chars,
        allowed_hosts=allowed_hosts(host, allow_hosts),
    )
    app.state.allow_private_urls = allow_private_urls or host in ("127.0.0.1", "localhost", "::1")
    click.echo(
        f"proplens: model {pipeline.name} {pipeline.version}; open http://{host}:{port}/", err=True
    )
    if host in WILDCARD_HOSTS and not allow_hosts:
        click.echo(
            f"proplens: listening on every address, but only requests addressed to "
            f"{', '.join(LOOPBACK_HOSTS[:3])} are answered; add `--allow-host NAME` for the "
            "name or address others use to reach this machine.",
            err=True,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")


commands = [serve_cmd]
