"""`proplens batch`: analyse many articles into the store, resumably."""

from __future__ import annotations

import json
import sys

import click

from proplens.cli.options import input_limit_options
from proplens.runner import FACTORY_ENV, run_batch
from proplens.shipped import MODEL_ENV
from proplens.storage import Store

EXIT_SOME_FAILED = 3

DB_HELP = "Database: a SQLAlchemy URL or a SQLite file path (default: the user data folder)."


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--db", "db", envvar="PROPLENS_DB", help=DB_HELP)
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(min=1),
    help="Local worker processes (default: run the model in this process).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="A Dask distributed scheduler to send the work to, e.g. tcp://host:8786.",
)
@click.option(
    "-b",
    "--batch-size",
    type=click.IntRange(min=1),
    default=32,
    show_default=True,
    help="Articles per transaction (a crash loses at most one batch).",
)
@click.option("--shard", metavar="I/N", help="Analyse only shard I of N (1 <= I <= N).")
@click.option(
    "-m",
    "--model",
    "model",
    help=f"fast, accurate, a model folder, or module:callable building a pipeline (also "
    f"${FACTORY_ENV} or ${MODEL_ENV}; default: fast, the corpus-scale model).",
)
@click.option(
    "--glob",
    "pattern",
    default="*",
    show_default=True,
    help="File pattern inside folders (default: every supported format).",
)
@input_limit_options("recorded as failed")
@click.option(
    "--retry-stopped",
    is_flag=True,
    help="Analyse again the articles skipped because they stopped the process twice.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Read only the first N articles (of the shard): a sample; rerun to resume it.",
)
@click.option("--no-progress", is_flag=True, help="Do not draw the progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def batch_cmd(
    inputs,
    db,
    workers,
    scheduler,
    batch_size,
    shard,
    model,
    pattern,
    max_chars,
    max_bytes,
    retry_stopped,
    limit,
    no_progress,
    as_json,
) -> None:
    """Analyse INPUT files, folders, globs or JSONL into the database.

    Articles already stored for the same model are skipped, so re-running after a crash
    finishes the work with no loss and no duplicates. Unreadable articles are recorded as
    failed and the run goes on; an article that stopped the process twice (out of memory) is
    recorded as failed and skipped. Exit status: 0 when every input is stored, 3 when the run
    finished but some inputs failed (listed), 1 when the run could not start.
    """
    with Store(db) as store:
        summary = run_batch(
            inputs,
            store,
            pipeline_factory=model,
            workers=workers,
            scheduler=scheduler,
            batch_size=batch_size,
            shard=shard,
            glob=pattern,
            progress=not no_progress,
            max_chars=max_chars,
            max_bytes=max_bytes,
            retry_stopped=retry_stopped,
            limit=limit,
        )
        failures = store.failures(run_id=summary.run_id)
    if as_json:
        click.echo(json.dumps({**summary.to_json(), "failures": failures}, indent=2))
        sys.exit(EXIT_SOME_FAILED if summary.failed else 0)
    if summary.interrupted_runs:
        runs = ", ".join(map(str, summary.interrupted_runs))
        click.echo(f"Closed earlier runs that were stopped before finishing: {runs}.", err=True)
    for f in failures[:20]:
        click.echo(f"failed: {f['origin']}: {f['error']}", err=True)
    if len(failures) > 20:
        click.echo(f"… and {len(failures) - 20} more failures.", err=True)
    click.echo(
        f"Done {summary.done}, skipped {summary.skipped}, failed {summary.failed} in "
        f"{summary.seconds:.1f} s ({summary.rate:.2f} articles/s) with {summary.model}; "
        f"run {summary.run_id} in {store!r}."
    )
    sys.exit(EXIT_SOME_FAILED if summary.failed else 0)


commands = [batch_cmd]
