"""`proplens stats`: technique rates per outlet, per technique or per month."""

from __future__ import annotations

import csv
import io
import json

import click

from proplens.cli.batch import DB_HELP
from proplens.stats import BY, corpus_stats, plot
from proplens.storage import Store


@click.command("stats")
@click.option("--db", "db", envvar="PROPLENS_DB", help=DB_HELP)
@click.option("--by", "by", type=click.Choice(BY), default="source", show_default=True,
              help="One row per outlet, per technique, or per month and outlet.")
@click.option("--format", "fmt", type=click.Choice(("table", "json", "csv")), default="table",
              show_default=True)
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
        writer.writerows(data["rows"])
        click.echo(buf.getvalue(), nl=False)
    else:
        _table(data)


def _table(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    if not data["rows"]:
        click.echo("No analysed articles yet; run `proplens batch` first.")
        return
    table = Table(title=f"By {data['by']} — model {data['model']}")
    for col in data["columns"]:
        table.add_column(col.replace("_", " "), overflow="fold",
                         justify="left" if col in ("source", "month", "technique",
                                                   "top_techniques") else "right")
    for row in data["rows"]:
        table.add_row(*(str(row[c]) for c in data["columns"]))
    Console(width=max(100, Console().width)).print(table)


commands = [stats_cmd]
