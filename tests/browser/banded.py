"""A stand-in model for the browser tests whose marks fall in every confidence band."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from proplens.doc import Doc

WORDS = {
    "traitors": ("Name_Calling,Labeling", 0.9),
    "reckless": ("Loaded_Language", 0.62),
    "disgraceful": ("Loaded_Language", 0.35),
    "nation": ("Flag-Waving", 0.12),
}


class BandedPipeline:
    """Marks `WORDS`: one likely, two likely/possible, one weak mark per occurrence."""

    name = "banded stand-in"
    version = "1"
    threshold = 0.05
    meta = {
        "name": name,
        "version": version,
        "dev_protocol_scores": {"si_p": 0.34, "si_r": 0.5, "tc_f1": 0.6},
    }

    def __call__(self, text_or_doc: str | Doc) -> Doc:
        return next(self.pipe([text_or_doc]))

    def pipe(self, docs: Iterable[str | Doc], batch_size: int = 8) -> Iterator[Doc]:
        for d in docs:
            doc = Doc(d) if isinstance(d, str) else d.copy(with_spans=False)
            for m in re.finditer(r"\b(" + "|".join(WORDS) + r")\b", doc.text, re.I):
                technique, score = WORDS[m.group().lower()]
                doc.add_span(m.start(), m.end(), technique, score, (("Doubt", 0.05),))
            yield doc
