"""`proplens stats`: technique rates per outlet, per technique or per month."""

from __future__ import annotations

import csv
import io
import json

import click

from proplens.cli.batch import DB_HELP
from proplens.stats import BY, corpus_stats, plot
from proplens.storage import Store
from proplens.textutil import printable


@click.command("stats")
@click.option("--db", "db", envvar="PROPLENS_DB", help=DB_HELP)
@click.option(
    "--by",
    "by",
    type=click.Choice(BY),
    default="source",
    show_default=True,
    help="One row per outlet, per technique, or per month and outlet.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json", "csv")),
    default="table",
    show_default=True,
)
@click.option("-m", "--model", help="Model name (or 'name version'); default: the newest.")
@click.option("--plot", "plot_path", metavar="OUT.png|svg", help="Also draw a chart to this file.")
def stats_cmd(db, by, fmt, model, plot_path) -> None:
    """Compare outlets: spans per 1,000 words, density and top techniques."""
    with Store(db) as store:
        data = corpus_stats(store, by=by, model=model)
    if plot_path:
        click.echo(f"Wrote {plot(data, plot_path)}.", err=True)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=data["columns"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _csv_cell(v) for k, v in row.items()} for row in data["rows"])
        click.echo(buf.getvalue(), nl=False)
    else:
        _table(data)


def _csv_cell(value):
    """A CSV cell that cannot drive a terminal or run as a spreadsheet formula."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _table(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if not data["rows"]:
        click.echo("No analysed articles yet; run `proplens batch` first.")
        return
    table = Table(title=Text(printable(f"By {data['by']} — model {data['model']}")))
    for col in data["columns"]:
        table.add_column(
            col.replace("_", " "),
            overflow="fold",
            justify="left"
            if col in ("source", "month", "technique", "top_techniques")
            else "right",
        )
    for row in data["rows"]:
        # Text(), not a markup string: stored source names must not be read as rich markup.
        table.add_row(*(Text(printable(str(row[c]))) for c in data["columns"]))
    Console(width=max(100, Console().width)).print(table)


commands = [stats_cmd]
