"""Keep held-out articles out of unlabelled training text.

Unlabelled news dumps can hold the very stories a model is scored on (the same wire copy, a
speech quoted at length). `LeaveOut` drops any article that shares at least `min_shared` runs of
`n` consecutive words with the held-out texts, so `proplens adapt` and `proplens label` never train
on the dev articles' words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from proplens.doc import Doc

WORD = re.compile(r"\w+")


def word_runs(text: str, n: int) -> set[int]:
    """Hashes of every run of `n` consecutive lower-cased words in `text`."""
    words = WORD.findall(text.lower())
    return {hash(tuple(words[i : i + n])) for i in range(len(words) - n + 1)}


class LeaveOut:
    """A filter that drops articles sharing long word runs with held-out texts.

    Args:
        texts: The held-out articles (e.g. the PTC dev articles).
        n: Words per run; 8 is long enough that shared runs mean shared text, not phrasing.
        min_shared: Shared runs from which an article counts as held-out text (20 runs = a
            passage of about 27 words).
        source: What the texts are, for messages.
    """

    def __init__(self, texts: Iterable[str], n: int = 8, min_shared: int = 20, source: str = ""):
        self.n = n
        self.min_shared = min_shared
        self.source = source
        self.runs: set[int] = set()
        for text in texts:
            self.runs |= word_runs(text, n)
        self.dropped: list[str] = []

    @classmethod
    def from_inputs(cls, inputs: Iterable[str], **kwargs) -> LeaveOut:
        """The held-out articles of files, folders or JSONL dumps."""
        from proplens.ingest import iter_docs

        inputs = [str(i) for i in inputs]
        return cls((d.text for d in iter_docs(inputs)), source=", ".join(inputs), **kwargs)

    def shared(self, text: str) -> int:
        """How many of `text`'s word runs the held-out texts also have."""
        return len(word_runs(text, self.n) & self.runs)

    def keep(self, doc: Doc) -> bool:
        """False (and the article noted in `dropped`) when `doc` repeats held-out text."""
        if self.shared(doc.text) < self.min_shared:
            return True
        self.dropped.append(doc.id or "")
        return False

    def describe(self) -> str:
        """One sentence on what was left out."""
        return (
            f"Left out {len(self.dropped)} articles that share {self.min_shared} or more runs of "
            f"{self.n} words with {self.source}."
        )
