"""Small deterministic stand-ins for the real model, importable by worker processes.

Select one from the command line with `--model tests.fakes:KeywordPipeline` (or the environment
variable `PROPLENS_PIPELINE_FACTORY`), with the repository root on `sys.path`.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator

from proplens.doc import Doc

KEYWORDS = {
    "traitors": "Name_Calling,Labeling",
    "disaster": "Loaded_Language",
    "always": "Exaggeration,Minimisation",
    "fear": "Appeal_to_fear-prejudice",
    "nation": "Flag-Waving",
}
LOADS = {"count": 0}  # models built in this process


class KeywordPipeline:
    """Marks every whole-word occurrence of `KEYWORDS` with its technique.

    A text containing `EXPLODE` raises, to exercise per-article failures. `delay` seconds are
    slept per article (env `PROPLENS_FAKE_DELAY` when not given) so a kill can land mid-run.
    """

    name = "keyword-fake"
    version = "1"
    meta = {"name": name, "version": version}

    def __init__(self, words: dict[str, str] | None = None, delay: float | None = None) -> None:
        LOADS["count"] += 1
        self.words = dict(words or KEYWORDS)
        self.delay = float(os.environ.get("PROPLENS_FAKE_DELAY", 0) if delay is None else delay)
        self.pattern = re.compile(r"\b(" + "|".join(map(re.escape, self.words)) + r")\b", re.I)

    def __call__(self, text_or_doc: str | Doc) -> Doc:
        doc = text_or_doc if isinstance(text_or_doc, Doc) else Doc(text_or_doc)
        if "EXPLODE" in doc.text:
            raise ValueError("The fake model refuses texts containing EXPLODE.")
        if self.delay:
            time.sleep(self.delay)
        out = doc.copy(with_spans=False)
        for m in self.pattern.finditer(doc.text):
            score = round(0.5 + (len(m.group()) % 5) / 10, 2)
            out.add_span(
                m.start(),
                m.end(),
                self.words[m.group().lower()],
                score,
                (("Doubt", round(1 - score, 2)),),
            )
        return out

    def pipe(self, docs: Iterable[str | Doc], batch_size: int = 8) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


class CountingPipeline(KeywordPipeline):
    """`KeywordPipeline` that records, in `doc.extra`, its process id and how many models that
    process has built, to check that each worker loads the model only once."""

    def __call__(self, text_or_doc: str | Doc) -> Doc:
        out = super().__call__(text_or_doc)
        out.extra.update(worker_pid=os.getpid(), worker_loads=LOADS["count"])
        return out


def article(i: int) -> dict[str, str]:
    """A generated article (as a JSON record) with a few keywords, an outlet and a date."""
    words = list(KEYWORDS)
    body = " ".join(
        f"Sentence {j} of story {i} says the {words[(i + j) % len(words)]} is near."
        for j in range(1 + i % 4)
    )
    return {
        "id": f"a{i:03d}",
        "text": f"Story {i}. {body}",
        "source": ["Daily Planet", "Gazette", "Herald"][i % 3],
        "date": f"2024-{1 + i % 3:02d}-{1 + i % 27:02d}",
    }


def empty_postgres(url: str) -> None:
    """Drop every table of the test database at `url` (only ever a throwaway test server)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
