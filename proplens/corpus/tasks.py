"""The SemEval file tasks over a folder of `article<ID>.txt`: end-to-end FLC rows from a model
(`predict_folder`) and a TC template's techniques filled in (`classify_template`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

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
            assert doc.id is not None  # a copy of articles[aid], whose id is aid
            for i, tech in zip(by_article[doc.id], ranked, strict=True):
                filled[i] = replace(rows[i], technique=tech)
            advance(1)
    write_labels(out, filled, task="tc")
    return len(filled)
