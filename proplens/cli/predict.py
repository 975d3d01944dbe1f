"""`proplens predict` (end-to-end FLC rows) and `proplens classify` (fill in a TC template)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import click

from proplens.cli.options import model_option, threshold_option
from proplens.corpus.semeval import LabelRow, read_articles, read_labels, write_labels
from proplens.doc import Doc
from proplens.errors import ProplensError
from proplens.progress import progress_bar
from proplens.stages.technique_classifier import assign_ranked


def _articles(folder: str) -> dict[str, Doc]:
    return read_articles(Path(folder))


def predict_folder(
    articles_dir: str,
    out: str,
    model: str | None = None,
    threshold: float | None = None,
    batch_size: int = 8,
) -> int:
    """Write end-to-end FLC rows `id technique start end` for every article of a folder.

    Returns:
        The number of rows written.
    """
    from proplens.pipeline import load

    nlp = load(model, threshold=threshold)
    articles = list(_articles(articles_dir).values())
    docs = []
    with progress_bar(len(articles), "Finding spans") as advance:
        for doc in nlp.pipe(articles, batch_size=batch_size):
            docs.append(doc)
            advance(1)
    write_labels(out, docs, task="flc")
    return sum(len(d.spans) for d in docs)


def classify_template(
    articles_dir: str, spans: str, out: str, model: str | None = None, batch_size: int = 8
) -> int:
    """Fill in the technique of every row of a TC template, keeping row order and repeats.

    Where the template repeats a span, each repeat gets the span's next most likely technique.

    Returns:
        The number of rows written.
    """
    from proplens.pipeline import load

    articles = _articles(articles_dir)
    rows = read_labels(spans, task="tc")
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if row.article_id not in articles:
            raise ProplensError(
                f"{row.where()}: article {row.article_id} is not in {articles_dir}."
            )
        by_article[row.article_id].append(i)
    docs = []
    for aid, idx in by_article.items():
        doc = articles[aid].copy(with_spans=False)
        for i in idx:
            doc.add_span(rows[i].start, rows[i].end)
        docs.append(doc)
    nlp = load(model)
    filled: list[LabelRow] = list(rows)
    with progress_bar(len(docs), "Classifying spans") as advance:
        for doc, probs in zip(docs, nlp.classify(docs, batch_size=batch_size), strict=True):
            keys = [(s.start, s.end) for s in doc.spans]
            ranked = assign_ranked(keys, probs, nlp.labels)
            for i, tech in zip(by_article[doc.id], ranked, strict=True):
                filled[i] = replace(rows[i], technique=tech)
            advance(1)
    write_labels(out, filled, task="tc")
    return len(filled)


@click.command("predict")
@click.argument("articles_dir", type=click.Path(path_type=str))
@click.option(
    "-o", "--out", type=click.Path(path_type=str), required=True, help="Labels file to write."
)
@model_option()
@threshold_option
@click.option("--batch-size", type=int, default=8, show_default=True)
def predict_cmd(articles_dir, out, model, threshold, batch_size) -> None:
    """Find technique spans in every article<ID>.txt of ARTICLES_DIR; write SemEval FLC rows."""
    n = predict_folder(articles_dir, out, model, threshold, batch_size)
    click.echo(f"Wrote {n} spans to {out}.")


@click.command("classify")
@click.argument("articles_dir", type=click.Path(path_type=str))
@click.option(
    "--spans",
    type=click.Path(path_type=str),
    required=True,
    help="TC template: rows `id ? start end` (or with techniques, which are replaced).",
)
@click.option(
    "-o", "--out", type=click.Path(path_type=str), required=True, help="Labels file to write."
)
@model_option()
@click.option("--batch-size", type=int, default=8, show_default=True)
def classify_cmd(articles_dir, spans, out, model, batch_size) -> None:
    """Give each span row of a SemEval TC template its most likely technique."""
    n = classify_template(articles_dir, spans, out, model, batch_size)
    click.echo(f"Wrote {n} rows to {out}.")


commands = [predict_cmd, classify_cmd]
