"""What the store keeps of a result: article and span rows built from a `Doc`, and back.

`ModelId` and `Result` are what a batch hands the store; `article_values` and `span_values` turn
them into rows, `row_to_doc` turns a stored row back into a `Doc`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from proplens.doc import META_FIELDS, Doc, Span
from proplens.ingest.dates import month_of as _month_of
from proplens.ingest.dates import parse_date
from proplens.storage.migrations import utcnow
from proplens.summary import summarize

DONE, FAILED = "done", "failed"
CHUNK = 500  # bound parameters per IN (...) query, well under every backend's limit
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ModelId:
    """The model a result came from: an article is stored once per (text, outlet, model)."""

    name: str
    version: str


@dataclass
class Result:
    """One input after the model ran: an annotated `doc`, or an `error` (with the doc if read)."""

    origin: str | None
    doc: Doc | None = None
    error: str | None = None
    stopped: bool = False  # the article stopped the process before: keep its attempts record


def clean(value: Any) -> Any:
    """`value` with lone surrogates (from file names that are not UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def month_of(date: str | None) -> str | None:
    """`YYYY-MM` of a date as crawled, else None (see `proplens.ingest.dates.parse_date`)."""
    return _month_of(date)


def article_values(doc: Doc, run_id, model: ModelId, origin, status, error) -> dict[str, Any]:
    """The `articles` row of `doc` (text, metadata, counts) as analysed by `model`."""
    meta, summary = doc.meta(), summarize(doc, top_sentences=0)
    values = {
        "content_hash": doc.content_hash,
        "model_name": model.name,
        "model_version": model.version,
        "run_id": run_id,
        "status": status,
        "error": error,
        "origin": origin,
        "doc_id": doc.id,
        "title": doc.title,
        "source": doc.source,
        "publisher": doc.source or "",  # the outlet in the uniqueness key (m006)
        "url": doc.url,
        "date": doc.date,
        "month": month_of(doc.date),
        "published": parse_date(doc.date),
        "author": doc.author,
        "metadata": json.dumps(meta, ensure_ascii=False, default=str),
        "text": doc.text,
        "n_chars": summary["n_chars"],
        "n_words": summary["n_words"],
        "n_spans": len(doc.spans),
        "covered_chars": summary["covered_chars"],
        "created": utcnow(),
    }
    return {k: clean(v) for k, v in values.items()}


def span_values(article_id: int, ord: int, span: Span) -> dict[str, Any]:
    """The `spans` row of the `ord`-th span of article `article_id`."""
    return {
        "article_id": article_id,
        "ord": ord,
        "start_char": span.start,
        "end_char": span.end,
        "technique": span.technique,
        "score": float(span.score),
        "alternatives": json.dumps([[t, s] for t, s in span.alternatives])
        if span.alternatives
        else None,
    }


def row_to_doc(row: Any, spans: list[Span]) -> Doc:
    """The `Doc` of a stored `articles` row, with its `spans`."""
    meta = json.loads(row.metadata or "{}")
    extra = {k: v for k, v in meta.items() if k not in META_FIELDS}
    fields = {k: meta.get(k) for k in META_FIELDS}
    fields["id"] = fields["id"] if fields["id"] is not None else str(row.id)
    return Doc(text=row.text or "", spans=spans, extra=extra, **fields)
