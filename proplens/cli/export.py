"""`proplens export`: write the stored articles as JSON Lines, SemEval FLC rows or a CSV table."""

from __future__ import annotations

import sys

import click

from proplens.cli.batch import DB_HELP
from proplens.iohelpers import atomic_write
from proplens.storage import Store
from proplens.storage.export import FORMATS, export


@click.command("export")
@click.option("--db", "db", envvar="PROPLENS_DB", help=DB_HELP)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="jsonl: one Doc JSON object per article; semeval: FLC label rows; csv: one row per "
    "article with its metadata and span counts per technique (no text).",
)
@click.option(
    "-o",
    "--output",
    "output",
    default="-",
    show_default=True,
    help="Output file ('-' for standard output).",
)
def export_cmd(db, fmt, output) -> None:
    """Export every analysed article in the database."""
    with Store(db) as store:
        if output == "-":
            counts = export(store, sys.stdout, fmt)
        else:
            try:
                with atomic_write(output) as out:
                    counts = export(store, out, fmt)
            except OSError as exc:  # a full disk, a read-only folder: nothing was replaced
                raise click.ClickException(
                    f"Could not write {output}: {exc.strerror or exc}. It was left as it was; "
                    "free some space or choose another place with `-o`."
                ) from None
    note = (
        f" ({counts['skipped_spans']} spans without a technique left out)"
        if counts["skipped_spans"]
        else ""
    )
    click.echo(
        f"Exported {counts['articles']} articles as {counts['rows']} {fmt} rows{note}.", err=True
    )


commands = [export_cmd]
