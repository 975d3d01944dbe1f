"""Write stored articles out: one Doc JSON object a line, or SemEval FLC label rows."""

from __future__ import annotations

import json
from typing import TextIO

from proplens.corpus.semeval import format_row
from proplens.storage.store import Store

FORMATS = ("jsonl", "semeval")


def export(store: Store, out: TextIO, format: str = "jsonl") -> dict[str, int]:
    """Stream every analysed article of `store` to `out`.

    Args:
        store: The store.
        out: A text stream (open files with `newline=""` so offsets stay exact).
        format: "jsonl" (`Doc.to_json()` per line: id, metadata, text, spans) or "semeval"
            (`article_id<TAB>technique<TAB>start<TAB>end` per span, task FLC).

    Returns:
        `{"articles": …, "rows": …, "skipped_spans": …}` (spans without a technique cannot be
        written as FLC rows and are counted in `skipped_spans`).
    """
    counts = {"articles": 0, "rows": 0, "skipped_spans": 0}
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
