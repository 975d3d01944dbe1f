"""Context augmentation: training articles whose paragraphs sit among other articles' paragraphs.

A tagger trained on whole articles learns a window-level prior ("this window reads like a rant:
mark a third of it; this one reads like news: mark nothing"), so a mark can vanish when its
paragraph is read alone or next to a calmer one. Mixed copies put each paragraph, with its gold
spans, beside paragraphs of other articles and alone, so what is marked has to follow from the
paragraph itself (`proplens train --mix-paragraphs N`).
"""

from __future__ import annotations

import random

from proplens.doc import Doc
from proplens.robustness import paragraphs


def blocks(doc: Doc) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """The doc's paragraphs as `(text, spans)` with span offsets local to the block; paragraphs
    joined by a gold span that crosses between them stay one block."""
    pars = paragraphs(doc.text)
    if not pars:
        return []
    merged = [list(pars[0])]
    for start, end in pars[1:]:
        crossing = any(s.start < merged[-1][1] < s.end for s in doc.spans)
        if crossing:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    out = []
    for start, end in merged:
        spans = [
            (s.start - start, s.end - start, s.technique)
            for s in doc.spans
            if s.technique is not None and start <= s.start and s.end <= end
        ]
        out.append((doc.text[start:end], spans))
    return out


def mixed_copies(docs: list[Doc], copies: int, seed: int = 0) -> list[Doc]:
    """`copies` new docs per article: its blocks in order, a block of another article put after
    about every third of them (and, a third of the time, before the first).

    Returns:
        The new docs (ids `<id>-mix<k>`), gold spans carried with their paragraphs.
    """
    rng = random.Random(seed)
    pools = [blocks(d) for d in docs]
    others = [b for bs in pools for b in bs]
    out = []
    for doc, own in zip(docs, pools, strict=True):
        if not own or not others:
            continue
        for k in range(copies):
            parts = [rng.choice(others)] if rng.random() < 1 / 3 else []
            for block in own:
                parts.append(block)
                if rng.random() < 1 / 3:
                    parts.append(rng.choice(others))
            out.append(_join(parts, f"{doc.id}-mix{k}"))
    return out


def _join(parts, doc_id: str) -> Doc:
    text: list[str] = []
    spans: list[tuple[int, int, str | None]] = []
    pos = 0
    for block, block_spans in parts:
        text.append(block)
        spans.extend((s + pos, e + pos, t) for s, e, t in block_spans)
        pos += len(block) + 1
    doc = Doc("\n".join(text), id=doc_id)
    for s, e, t in spans:
        doc.add_span(s, e, t, 1.0)
    return doc
