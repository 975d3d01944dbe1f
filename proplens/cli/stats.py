"""`proplens stats`: technique rates by outlet, technique, month or any metadata key."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click

from proplens.cli.batch import DB_HELP
from proplens.stats import RATE, corpus_stats, plot
from proplens.storage import Store
from proplens.textutil import printable


@click.command("stats")
@click.option("--db", "db", envvar="PROPLENS_DB", help=DB_HELP)
@click.option(
    "--by",
    "by",
    default="source",
    show_default=True,
    metavar="KEY[,KEY]",
    help="Group by source, technique, month, year, author or any metadata field (bias, "
    "topic…); two keys for a cross table, e.g. bias,technique or source,month.",
)
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="KEY=VALUE",
    help="Only articles with this value (repeat: values of one key are alternatives).",
)
@click.option("--since", metavar="DATE", help="Only articles published on or after YYYY[-MM[-DD]].")
@click.option("--until", metavar="DATE", help="Only articles published up to YYYY[-MM[-DD]].")
@click.option(
    "-t", "--technique", "technique", multiple=True, help="Count only this technique (repeat)."
)
@click.option(
    "--min-articles",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Hide groups with fewer articles (their count is reported).",
)
@click.option(
    "--sort",
    type=click.Choice(("key", "rate", "articles")),
    default="key",
    show_default=True,
    help="Row order: by key, by rate (highest first) or by number of articles.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.5, 0.999),
    default=0.95,
    show_default=True,
    help="Level of the confidence intervals.",
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
def stats_cmd(
    db, by, where, since, until, technique, min_articles, sort, confidence, fmt, model, plot_path
) -> None:
    """Compare outlets: techniques per 1,000 words and per article, with confidence intervals.

    Every figure comes with the number of articles behind it. Articles whose date is missing or
    cannot be parsed are counted apart (and said so) when grouping or filtering by date.
    """
    with Store(db) as store:
        data = corpus_stats(
            store,
            by=by,
            model=model,
            where=where,
            since=since,
            until=until,
            technique=technique,
            min_articles=min_articles,
            sort=sort,
            confidence=confidence,
        )
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
    for note in data["notes"]:
        click.echo(note, err=True)


def _csv_cell(value: Any) -> Any:
    """A CSV cell that cannot drive a terminal or run as a spreadsheet formula."""
    from proplens.storage.export import safe_cell

    return safe_cell(value)


def _interval(row: dict[str, Any], name: str, scale: float = 1.0, digits: int = 1) -> str:
    low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
    value = f"{scale * row[name]:.{digits}f}"
    if low is None or high is None:
        return value
    return f"{value} [{scale * low:.{digits}f}–{scale * high:.{digits}f}]"


def _table(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if not data["rows"]:
        click.echo("No analysed articles match; run `proplens batch` first or loosen the filters.")
        return
    level = round(100 * data["confidence"])
    title = f"By {data['by']} — model {data['model']} — {data['articles']:,} articles"
    table = Table(title=Text(printable(title)), caption=Text(f"[low–high]: {level}% intervals"))
    keys = data["keys"]
    for key in keys:
        table.add_column(key, overflow="fold")
    for name in ("articles", "per 1,000 words", "per article", "% articles with one"):
        table.add_column(name, justify="right")
    if "top_techniques" in data["columns"]:
        table.add_column("top techniques", overflow="fold")
    for row in data["rows"]:
        # Text(), not a markup string: stored source names must not be read as rich markup.
        cells = [Text(printable(str(row[k]))) for k in keys]
        cells += [
            Text(f"{row['articles']:,}"),
            Text(_interval(row, RATE)),
            Text(_interval(row, "spans_per_article")),
            Text(_interval(row, "share_with", 100, 0)),
        ]
        if "top_techniques" in data["columns"]:
            cells.append(Text(printable(row["top_techniques"])))
        table.add_row(*cells)
    Console(width=max(100, Console().width)).print(table)


commands = [stats_cmd]
