"""Small deterministic stand-ins for the real model, importable by worker processes.

Select one from the command line with `--model tests.fakes:KeywordPipeline` (or the environment
variable `PROPLENS_PIPELINE_FACTORY`), with the repository root on `sys.path`. Scores and
runner-ups are fixed, so tests can count them:

- `KeywordPipeline` / `CountingPipeline` (runner and batch tests) mark `KEYWORDS`;
- `StandInPipeline` (views: CLI, API, renderers) marks the phrases in `RULES`;
- `LongWordPipeline` (browser tests) marks every long word, so real articles get many spans.
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
    Load it with `--model tests.fakes:LongWordPipeline` from the repository root."""

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


def migrate_to(conn, n: int) -> None:
    """Bring an empty database behind `conn` to the schema of the first `n` migrations only, as
    an older proplens left it."""
    import sqlalchemy as sa

    from proplens.storage.migrations import MIGRATIONS, MIGRATIONS_TABLE, utcnow

    table = sa.Table(
        MIGRATIONS_TABLE,
        sa.MetaData(),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("applied_at", sa.String(32)),
    )
    table.create(conn)
    for fn in MIGRATIONS[:n]:
        fn(conn)
        conn.execute(sa.insert(table).values(name=fn.__name__, applied_at=utcnow()))
