"""Write stored articles out: one Doc JSON object a line, SemEval FLC label rows, or a CSV table
with one row per article (metadata fields and span counts per technique, for notebooks)."""

from __future__ import annotations

import csv
import json
from typing import IO, Any

import sqlalchemy as sa

from proplens.corpus.semeval import format_row
from proplens.storage.queries import ARTICLE_META, ARTICLE_TECHNIQUES
from proplens.storage.store import DONE, Store

FORMATS = ("jsonl", "semeval", "csv")
_CHUNK = 1000


def export(store: Store, out: IO[str], format: str = "jsonl") -> dict[str, int]:
    """Stream every analysed article of `store` to `out`.

    Args:
        store: The store.
        out: A text stream (open files with `newline=""` so offsets stay exact).
        format: "jsonl" (`Doc.to_json()` per line: id, metadata, text, spans), "semeval"
            (`article_id<TAB>technique<TAB>start<TAB>end` per span, task FLC) or "csv" (one
            row per article, without its text: store id, doc id, title, source, url, date as
            given, parsed date, author, model, every metadata field, word/character/span counts
            and one column of span counts per technique).

    Returns:
        `{"articles": …, "rows": …, "skipped_spans": …}` (spans without a technique cannot be
        written as FLC rows and are counted in `skipped_spans`).
    """
    counts = {"articles": 0, "rows": 0, "skipped_spans": 0}
    if format == "csv":
        counts["articles"] = counts["rows"] = export_csv(store, out)
        return counts
    for doc in store.iter_articles():
        counts["articles"] += 1
        if format == "jsonl":
            out.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
            counts["rows"] += 1
            continue
        for span in doc.spans:
            if span.technique is None:
                counts["skipped_spans"] += 1
                continue
            out.write(format_row(span, "flc", article_id=doc.id or "") + "\n")
            counts["rows"] += 1
    return counts


def safe_cell(value: Any) -> Any:
    """A CSV cell that cannot drive a terminal or run as a spreadsheet formula."""
    from proplens.textutil import printable

    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def export_csv(store: Store, out: IO[str]) -> int:
    """One CSV row per analysed article (see `export`), read in chunks; returns the row count."""
    a, m, t = store.articles, ARTICLE_META, ARTICLE_TECHNIQUES
    with store._connect() as conn:
        keys = sorted(conn.scalars(sa.select(m.c.key).distinct()))
        techniques = sorted(conn.scalars(sa.select(t.c.technique).distinct()))
    names = [x or "(no technique)" for x in techniques]
    fixed = ["article_id", "doc_id", "title", "source", "url", "date", "published", "author"]
    counts = ["n_words", "n_chars", "n_spans"]
    writer = csv.writer(out)
    writer.writerow([*fixed, "model", *keys, *counts, *names])
    cols = [a.c.id, *(a.c[c] for c in fixed[1:]), a.c.model_name, a.c.model_version]
    last, written = 0, 0
    while True:
        with store._connect() as conn:
            rows = conn.execute(
                sa.select(*cols, *(a.c[c] for c in counts))
                .where(a.c.status == DONE, a.c.id > last)
                .order_by(a.c.id)
                .limit(_CHUNK)
            ).all()
            if not rows:
                return written
            ids = [r.id for r in rows]
            meta: dict[int, dict[str, str]] = {}
            for i, k, v in conn.execute(sa.select(m).where(m.c.article_id.in_(ids))):
                meta.setdefault(i, {})[k] = v
            spans: dict[int, dict[str, int]] = {}
            for i, k, n in conn.execute(sa.select(t).where(t.c.article_id.in_(ids))):
                spans.setdefault(i, {})[k] = n
        for r in rows:
            fields = [r.id, *(r._mapping[c] for c in fixed[1:])]
            fields.append(f"{r.model_name} {r.model_version}")
            fields += [meta.get(r.id, {}).get(k) for k in keys]
            fields += [r._mapping[c] for c in counts]
            fields += [spans.get(r.id, {}).get(x, 0) for x in techniques]
            writer.writerow([safe_cell(v) for v in fields])
            written += 1
        last = rows[-1].id
