"""Summaries of one analysed article: counts, covered characters, density, loaded sentences.

Pure and fast: `summarize(doc)` reads a `Doc` and returns a JSON-ready dict. The CLI, the API,
the reports and the store all use it, so every view shows the same numbers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from proplens.doc import Doc, Span
from proplens.techniques import BY_NAME, LABELS

UNCLASSIFIED = "Unclassified"
_WORD = re.compile(r"\w+")

# Confidence bands: how every view draws, counts and explains a mark's score. The score is the
# model's calibrated estimate that the span uses the technique; bands keep readers from taking a
# one-in-five guess for a finding. Views show `likely` and `possible` marks by default.
BANDS: tuple[dict[str, Any], ...] = (
    {
        "name": "likely",
        "min": 0.5,
        "label": "Likely",
        "description": "the model puts the chance that this is the technique at 50% or more",
    },
    {
        "name": "possible",
        "min": 0.25,
        "label": "Possible",
        "description": "a 25-50% chance: worth a look, often wrong",
    },
    {
        "name": "weak",
        "min": 0.0,
        "label": "Weak",
        "description": "under 25%: more often wrong than right; hidden unless you ask",
    },
)
DEFAULT_MIN_SCORE = 0.25


def band(score: float) -> str:
    """The name of the confidence band `score` falls in ("likely", "possible" or "weak")."""
    return next(b["name"] for b in BANDS if score >= b["min"] - 1e-9)


def covered_chars(spans: Iterable[Span]) -> int:
    """Number of characters covered by at least one of `spans` (overlaps counted once)."""
    total, cur_start, cur_end = 0, -1, -1
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if s.start > cur_end:
            total += cur_end - cur_start
            cur_start, cur_end = s.start, s.end
        elif s.end > cur_end:
            cur_end = s.end
    return total + (cur_end - cur_start)


def technique_key(span: Span) -> str:
    return span.technique or UNCLASSIFIED


def summarize(doc: Doc, top_sentences: int = 5, min_score: float = 0.0) -> dict[str, Any]:
    """Summarise the spans of `doc`.

    Args:
        doc: An analysed article.
        top_sentences: How many of the most loaded sentences to return.
        min_score: Ignore spans scoring below this.

    Returns:
        A dict with `n_spans`, `n_chars`, `n_words`, `covered_chars`, `density` (share of
        characters covered by any span), `spans_per_1000_words`, `techniques` (one entry per
        technique found, most frequent first: technique, title, colour, count, chars, mean_score),
        `counts` (technique -> count), `bands` (band name -> count of spans in it, see
        `BANDS`) and `loaded_sentences`.

    Example:
        >>> doc = Doc("They are traitors. Fine.")
        >>> _ = doc.add_span(9, 17, "Name_Calling,Labeling")
        >>> summarize(doc)["counts"]
        {'Name_Calling,Labeling': 1}
    """
    spans = [s for s in doc.spans if s.score >= min_score]
    n_chars = len(doc.text)
    n_words = sum(1 for _ in _WORD.finditer(doc.text))
    by_tech: dict[str, list[Span]] = {}
    for s in spans:
        by_tech.setdefault(technique_key(s), []).append(s)
    order = {name: i for i, name in enumerate(LABELS)}
    techniques = []
    for name, group in sorted(
        by_tech.items(), key=lambda kv: (-len(kv[1]), order.get(kv[0], len(order)))
    ):
        info = BY_NAME.get(name)
        techniques.append(
            {
                "technique": name,
                "title": info.title if info else "Unclassified propaganda",
                "colour": info.colour if info else "#6b7280",
                "count": len(group),
                "chars": covered_chars(group),
                "mean_score": round(sum(s.score for s in group) / len(group), 4),
            }
        )
    covered = covered_chars(spans)
    return {
        "n_spans": len(spans),
        "n_chars": n_chars,
        "n_words": n_words,
        "covered_chars": covered,
        "density": round(covered / n_chars, 4) if n_chars else 0.0,
        "spans_per_1000_words": round(1000 * len(spans) / n_words, 2) if n_words else 0.0,
        "techniques": techniques,
        "counts": {t["technique"]: t["count"] for t in techniques},
        "bands": {b["name"]: sum(band(s.score) == b["name"] for s in spans) for b in BANDS},
        "loaded_sentences": loaded_sentences(doc, spans, top_sentences),
    }


def loaded_sentences(doc: Doc, spans: list[Span], top: int = 5) -> list[dict[str, Any]]:
    """The `top` sentences carrying the most span weight (sum of overlapping span scores).

    Sentences are those of the normalised text (`Doc.clean_sentences`, split once per Doc), so
    hard-wrapped (PDF) lines do not cut them.

    Args:
        doc: The article.
        spans: The spans to weigh (usually some of `doc.spans`).
        top: How many sentences to return.
    Returns:
        Dicts with start and end (offsets into `doc.text`), text (the sentence, normalised),
        n_spans, score and techniques (distinct, most frequent first), in order of weight;
        ties go to the earlier sentence.
    """
    if not spans or top <= 0:
        return []
    clean, clean_sents, sents = doc.clean, doc.clean_sentences, doc.sentences
    starts = [s for s, _ in sents]
    hits: dict[int, list[Span]] = {}
    for span in spans:
        i = max(bisect_right(starts, span.start) - 1, 0)
        while i < len(sents) and sents[i][0] < span.end:
            if sents[i][1] > span.start:
                hits.setdefault(i, []).append(span)
            i += 1
    ranked = sorted(hits.items(), key=lambda kv: (-sum(s.score for s in kv[1]), -len(kv[1]), kv[0]))
    out = []
    for i, group in ranked[:top]:
        start, end = sents[i]
        clean_start, clean_end = clean_sents[i]
        counts: dict[str, int] = {}
        for s in group:
            counts[technique_key(s)] = counts.get(technique_key(s), 0) + 1
        out.append(
            {
                "start": start,
                "end": end,
                "text": clean[clean_start:clean_end],
                "n_spans": len(group),
                "score": round(sum(s.score for s in group), 4),
                "techniques": sorted(counts, key=lambda t: -counts[t]),
            }
        )
    return out
