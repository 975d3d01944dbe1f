"""`proplens corrections`: list readers' corrections and export them as SemEval training data."""

from __future__ import annotations

import json

import click

from proplens.errors import ProplensError


def _gather(files: tuple[str, ...], db: str | None) -> list:
    """Corrected articles from corrections files and/or the store, merged per article text."""
    from proplens.corrections import CorrectedArticle, explain, merge, read_corrections

    if not files and not db:
        raise click.UsageError(
            "Say where the corrections are: pass corrections files (what 'Download corrections' "
            "saves) and/or `--db URL` (what `proplens serve --db` stored)."
        )
    articles = [a for path in files for a in read_corrections(path)]
    if db:
        from pydantic import ValidationError

        from proplens.storage import Store
        from proplens.storage.store import corrected_articles

        with Store(db) as store:
            for record in corrected_articles(store):
                try:
                    articles.append(CorrectedArticle.model_validate(record))
                except ValidationError as exc:
                    raise explain(exc, f"A stored article ({record.get('title')!r})") from None
    return merge(articles)


_db_option = click.option(
    "-d", "--db", envvar="PROPLENS_DB", help="Database URL or SQLite path of `proplens serve --db`."
)


@click.group("corrections")
def corrections_cmd() -> None:
    """List readers' corrections (confirm, reject, relabel, add); export them as training data.

    Corrections come from files saved with 'Download corrections' on the page or in a report,
    and from the store of `proplens serve --db`.
    """


@corrections_cmd.command("list")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the merged corrections file.")
def list_cmd(files: tuple[str, ...], db: str | None, as_json: bool) -> None:
    """One line per corrected article: how many marks were confirmed, rejected, relabelled and
    added (the latest decision per mark counts)."""
    from proplens.corrections import summarize_corrections

    articles = _gather(files, db)
    if as_json:
        payload = {"proplens_corrections": 1, "articles": [a.model_dump() for a in articles]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not articles:
        click.echo("No corrections yet.")
        return
    for art in articles:
        c = summarize_corrections(art)
        title = art.title or " ".join(art.text.split())[:60]
        click.echo(
            f"{title}: {c['confirm']} confirmed, {c['reject']} rejected, {c['relabel']} "
            f"relabelled, {c['add']} added ({len(art.spans)} marks by the model)"
        )


@corrections_cmd.command("export")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@_db_option
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write `<name>-articles/` and `<name>-task-flc-tc.labels` into.",
)
@click.option("--name", default="corrections", show_default=True, help="Prefix of what is written.")
@click.option(
    "--include-unreviewed",
    is_flag=True,
    help="Also keep model marks (25%+ confidence) nobody confirmed or rejected. Without it, "
    "only reviewed marks become labels, so unreviewed text counts as having no technique.",
)
@click.option(
    "--with-corpus",
    type=click.Path(exists=True, file_okay=False),
    help="A PTC root whose `--split` articles and labels are copied in, so one folder trains "
    "on both.",
)
@click.option(
    "--split",
    "splits",
    multiple=True,
    default=("train",),
    show_default=True,
    help="Split(s) of `--with-corpus` to copy.",
)
def export_cmd(
    files: tuple[str, ...],
    db: str | None,
    out: str,
    name: str,
    include_unreviewed: bool,
    with_corpus: str | None,
    splits: tuple[str, ...],
) -> None:
    """Write the corrections as a SemEval corpus folder that `proplens train` reads.

    Example: proplens corrections export saved.json --db news.db --with-corpus
    ../shared/corpora/ptc -o data/ && proplens train --corpus data/corrections-articles --out m/
    """
    from proplens.corrections import export_corpus

    articles = _gather(files, db)
    if not articles:
        raise ProplensError("There are no corrections to export yet.")
    extra = []
    if with_corpus:
        from proplens.corpus.gold import load_gold

        extra = load_gold(with_corpus, splits)
    counts = export_corpus(articles, out, name, include_unreviewed, extra)
    click.echo(
        f"Wrote {counts['articles']} corrected article(s) with {counts['labels']} label row(s)"
        + (
            f" and {counts['extra_articles']} corpus article(s) with {counts['extra_labels']} "
            "row(s)"
            if extra
            else ""
        )
        + f" to {out}/{name}-articles and {out}/{name}-task-flc-tc.labels; train with "
        f"`proplens train --corpus {out}/{name}-articles`."
    )


commands = [corrections_cmd]
