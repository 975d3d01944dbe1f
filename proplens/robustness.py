"""How steady a model's marks are: under a change of context, at their edges, across formats.

Three measures, each a flat dict (run them with `benchmarks/stability.py`):

- `context_stability`: every paragraph of an article analysed inside its article, alone, and
  after a paragraph of another article; the marked characters of the paragraph compared
  (character-overlap F1 of the marked positions, summed over paragraphs). 1.0 means a mark
  never depends on what surrounds its paragraph.
- `boundary_quality`: the share of spans that start or end on a stop word, for the model and
  for gold; and span lengths (median, 90th percentile, longest) for both.
- `format_stability`: the same article with CRLF line ends, trailing spaces, hard wraps at 70
  columns, straight instead of curly quotes, and as an HTML page read by the HTML reader; the
  share of the original marks (text with white space collapsed and quotes folded, technique)
  found again.
"""

from __future__ import annotations

import html
import random
import re
import textwrap
from collections.abc import Callable, Sequence

import numpy as np

from proplens.doc import Doc

# A plain English stop-word list (function words); a span edge on one is usually a boundary error.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves""".split()
)
WORD = re.compile(r"\w+(?:['’]\w+)*")
QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})


def paragraphs(text: str) -> list[tuple[int, int]]:
    """`[start, end)` of each non-blank line of `text` (PTC articles hold one paragraph a line)."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _marked(doc: Doc, start: int, end: int, shift: int = 0) -> set[int]:
    chars: set[int] = set()
    for s in doc.spans:
        lo, hi = max(s.start - shift, start), min(s.end - shift, end)
        chars.update(range(lo, hi))
    return chars


def _f1(pairs: list[tuple[set[int], set[int]]]) -> float:
    hit = sum(len(a & b) for a, b in pairs)
    total = sum(len(a) + len(b) for a, b in pairs)
    return 1.0 if total == 0 else 2 * hit / total


def context_stability(nlp: Callable, texts: Sequence[str], seed: int = 0) -> dict[str, float]:
    """Marks on each paragraph in its article vs alone vs after another article's paragraph."""
    rng = random.Random(seed)
    alone, mixed = [], []
    n_par = 0
    for k, text in enumerate(texts):
        whole = nlp(text)
        others = [t for i, t in enumerate(texts) if i != k and paragraphs(t)]
        for start, end in paragraphs(text):
            par = text[start:end]
            in_article = {c - start for c in _marked(whole, start, end)}
            alone.append((in_article, _marked(nlp(par), 0, len(par))))
            if others:
                other = rng.choice(others)
                o_start, o_end = rng.choice(paragraphs(other))
                lead = other[o_start:o_end] + "\n"
                after = nlp(lead + par)
                mixed.append((in_article, _marked(after, 0, len(par), shift=len(lead))))
            n_par += 1
    return {
        "paragraphs": n_par,
        "context_f1_alone": round(_f1(alone), 4),
        "context_f1_other_neighbour": round(_f1(mixed), 4),
        "marked_chars_in_article": sum(len(a) for a, _ in alone),
        "marked_chars_alone": sum(len(b) for _, b in alone),
    }


def _edge_words(text: str, start: int, end: int) -> tuple[str, str]:
    words = WORD.findall(text[start:end])
    return (words[0].lower(), words[-1].lower()) if words else ("", "")


def boundary_quality(predicted: Sequence[Doc], gold: Sequence[Doc]) -> dict[str, float]:
    """Stop-word edges and span lengths, predicted vs gold."""
    out: dict[str, float] = {}
    for name, docs in (("pred", predicted), ("gold", gold)):
        edges = [_edge_words(d.text, s.start, s.end) for d in docs for s in d.spans]
        lengths = np.array([s.end - s.start for d in docs for s in d.spans] or [0])
        n = max(len(edges), 1)
        out[f"{name}_spans"] = len(edges)
        out[f"{name}_stop_start"] = round(sum(a in STOP_WORDS for a, _ in edges) / n, 4)
        out[f"{name}_stop_end"] = round(sum(b in STOP_WORDS for _, b in edges) / n, 4)
        out[f"{name}_stop_either"] = round(
            sum(a in STOP_WORDS or b in STOP_WORDS for a, b in edges) / n, 4
        )
        out[f"{name}_len_median"] = float(np.median(lengths))
        out[f"{name}_len_p90"] = float(np.percentile(lengths, 90))
        out[f"{name}_len_max"] = int(lengths.max())
    return out


def _key(doc: Doc) -> list[tuple[str, str | None]]:
    return sorted(
        (" ".join(doc.text[s.start : s.end].translate(QUOTES).split()), s.technique)
        for s in doc.spans
    )


def _as_html(text: str) -> Doc:
    from proplens.ingest import docs_from_bytes

    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.split("\n") if line.strip())
    page = f"<!doctype html><html><head><title>t</title></head><body><article>{body}"
    return docs_from_bytes((page + "</article></body></html>").encode(), "page.html")[0]


VARIANTS: dict[str, Callable[[str], str | Doc]] = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "trailing_space": lambda t: "\n".join(line + "  " for line in t.split("\n")),
    "hard_wrap_70": lambda t: "\n\n".join(textwrap.fill(p, 70) for p in t.split("\n") if p),
    "straight_quotes": lambda t: t.translate(QUOTES),
    "html": _as_html,
}


def format_stability(nlp: Callable, texts: Sequence[str]) -> dict[str, float]:
    """Share of the original marks found again in each variant of the articles."""
    base = [_key(nlp(t)) for t in texts]
    total = sum(len(b) for b in base)
    out: dict[str, float] = {"spans": total}
    for name, make in VARIANTS.items():
        kept = 0
        for text, keys in zip(texts, base, strict=True):
            variant = make(text)
            got = _key(nlp(variant))
            pool = list(got)
            for k in keys:
                if k in pool:
                    pool.remove(k)
                    kept += 1
        out[f"kept_{name}"] = round(kept / total, 4) if total else 1.0
    return out
