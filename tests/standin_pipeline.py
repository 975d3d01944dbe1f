"""A tiny deterministic stand-in for `proplens.load()`, for testing views without a model.

It marks fixed words and phrases; scores and runner-ups are fixed too, so tests can count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from proplens.doc import Doc

RULES = (
    (r"\btraitors?\b", "Name_Calling,Labeling", 0.9),
    (r"\bdisgraceful\b|\breckless\b|\bshameful\b", "Loaded_Language", 0.8),
    (r"\bdisgraceful reckless\b", "Exaggeration,Minimisation", 0.4),
    (r"\beveryone knows\b", "Bandwagon,Reductio_ad_hitlerum", 0.3),
)


class StandInPipeline:
    """Marks the words in `RULES` with their technique and score."""

    name = "stand-in"
    version = "0.0.1"
    meta = {"name": "stand-in", "version": "0.0.1"}

    def __init__(self, threshold: float = 0.0):
        self.threshold = threshold
        self.calls = 0

    def __call__(self, text_or_doc: str | Doc) -> Doc:
        return next(self.pipe([text_or_doc]))

    def pipe(self, docs: Iterable[str | Doc], batch_size: int = 8) -> Iterator[Doc]:
        for d in docs:
            self.calls += 1
            doc = Doc(d) if isinstance(d, str) else d.copy(with_spans=False)
            for pattern, technique, score in RULES:
                if score < self.threshold:
                    continue
                for m in re.finditer(pattern, doc.text, flags=re.IGNORECASE):
                    alts = (("Doubt", round(score / 4, 3)), ("Slogans", round(score / 8, 3)))
                    doc.add_span(m.start(), m.end(), technique, score, alts)
            yield doc


class LongWordPipeline(StandInPipeline):
    """Marks every word of 9+ letters, and each pair of such neighbours as one more span, so any
    real article gets many spans, overlaps and a spread of scores (for the browser tests).
    Load it with `--model tests.standin_pipeline:LongWordPipeline` from the repository root."""

    name = "long-word stand-in"
    LABELS = ("Loaded_Language", "Name_Calling,Labeling", "Doubt", "Flag-Waving", "Slogans")

    def pipe(self, docs: Iterable[str | Doc], batch_size: int = 8) -> Iterator[Doc]:
        for d in docs:
            self.calls += 1
            doc = Doc(d) if isinstance(d, str) else d.copy(with_spans=False)
            words = list(re.finditer(r"[A-Za-z]{9,}", doc.text))
            for i, m in enumerate(words):
                score = round(0.3 + (len(m.group()) - 9) * 0.1, 2) if len(m.group()) < 16 else 0.99
                technique = self.LABELS[len(m.group()) % len(self.LABELS)]
                doc.add_span(m.start(), m.end(), technique, score, (("Doubt", 0.1),))
                if i and m.start() - words[i - 1].end() == 1:
                    doc.add_span(words[i - 1].start(), m.end(), "Repetition", 0.5)
            yield doc
