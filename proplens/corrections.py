"""Readers' corrections of marks: confirm, reject, relabel, add; stored, listed and exported as
SemEval training data.

The web page and the HTML report record each correction as it is made. They end up in a
*corrections file* (what "Download corrections" saves) or, with `proplens serve --db`, in the
store. Both hold, per article, its text, the model's marks and the corrections in order:

    {"proplens_corrections": 1, "articles": [{"text": "...", "title": "...", "model": {...},
      "spans": [{"start", "end", "technique", "score"}],
      "corrections": [{"action": "reject", "start": 9, "end": 17, "technique": null,
                       "was": "Name_Calling,Labeling", "score": 0.41}, ...]}]}

`export_corpus` turns them into a folder that `proplens train --corpus` reads like a PTC split:
`<name>-articles/article<ID>.txt` and `<name>-task-flc-tc.labels`, optionally with PTC articles
copied in. The labels of an article are the marks a reader confirmed, relabelled or added; marks
the reader rejected are left out. Because a label file lists *every* propaganda span of an
article, any mark nobody reviewed is left out too unless `include_unreviewed` is set, so review
all the marks of an article before training on it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from proplens.doc import Doc
from proplens.errors import ProplensError
from proplens.summary import DEFAULT_MIN_SCORE
from proplens.taxonomy import BUILT_IN, get_taxonomy

# Techniques a correction may name: those of every built-in taxonomy (ptc-2020, semeval-2023).
LABELS = tuple(dict.fromkeys(label for name in BUILT_IN for label in get_taxonomy(name).labels))

FORMAT_VERSION: Literal[1] = 1
Action = Literal["confirm", "reject", "relabel", "add", "remove"]
POSITIVE = ("confirm", "relabel", "add")


class CorrectionsError(ProplensError):
    """A corrections file or request that cannot be read."""


class Correction(BaseModel):
    """One reader decision about one mark."""

    action: Action
    start: int = Field(ge=0)
    end: int = Field(ge=1)
    technique: str | None = None
    was: str | None = None
    score: float | None = None
    text: str | None = None
    at: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Correction:
        if self.end <= self.start:
            raise ValueError(f"the span [{self.start}, {self.end}) is empty or reversed")
        if self.action in (*POSITIVE, "remove") and self.technique not in LABELS:
            raise ValueError(
                f"`{self.action}` needs a known technique, got {self.technique!r}; expected one "
                f"of: {', '.join(LABELS)}"
            )
        return self

    @property
    def key(self) -> tuple[int, int, str | None]:
        """Which mark this is about: its offsets and the model's technique (or the added one)."""
        added = self.action in ("add", "remove")
        return (self.start, self.end, self.technique if added else self.was)


class Mark(BaseModel):
    """A mark the model made, as the reader saw it."""

    start: int = Field(ge=0)
    end: int = Field(ge=1)
    technique: str | None = None
    score: float | None = None


class CorrectedArticle(BaseModel):
    """An article, the model's marks on it and the reader's corrections, in order."""

    text: str = Field(min_length=1)
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: str | None = None
    model: dict[str, Any] = Field(default_factory=dict)
    spans: list[Mark] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits(self) -> CorrectedArticle:
        marks: list[Mark | Correction] = [*self.spans, *self.corrections]
        for c in marks:
            if c.end > len(self.text):
                raise ValueError(
                    f"the span [{c.start}, {c.end}) runs past the end of the article "
                    f"({len(self.text)} characters)"
                )
        return self

    @property
    def key(self) -> str:
        return content_hash(self.text)


class CorrectionsFile(BaseModel):
    """What "Download corrections" saves."""

    proplens_corrections: Literal[1] = FORMAT_VERSION
    articles: list[CorrectedArticle]


def content_hash(text: str) -> str:
    """SHA-256 of the article text (UTF-8): the same article gets the same key everywhere."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_id(text: str) -> str:
    """A 12-digit SemEval article id from the text's hash (PTC ids have 9 digits, so corrected
    articles never collide with PTC articles)."""
    return "9" + str(int(content_hash(text)[:15], 16) % 10**11).zfill(11)


def explain(exc: ValidationError, where: str) -> CorrectionsError:
    """One sentence from a pydantic error."""
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return CorrectionsError(f"{where} is not a valid corrections record: `{loc}`: {msg}.")


def read_corrections(path: str | Path) -> list[CorrectedArticle]:
    """Read a corrections file saved by the web page or the report.

    Raises:
        CorrectionsError: The file is not JSON or not in the corrections format.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorrectionsError(
            f"{path} is not a corrections file (it is not UTF-8 JSON: {exc}); pass the file "
            "that 'Download corrections' saved."
        ) from None
    try:
        return CorrectionsFile.model_validate(data).articles
    except ValidationError as exc:
        raise explain(exc, str(path)) from None


def merge(articles: Iterable[CorrectedArticle]) -> list[CorrectedArticle]:
    """One record per article text: corrections from several files or sessions, in order."""
    out: dict[str, CorrectedArticle] = {}
    for art in articles:
        if art.key in out:
            out[art.key].corrections.extend(art.corrections)
        else:
            out[art.key] = art.model_copy(deep=True)
    return list(out.values())


def verdicts(article: CorrectedArticle) -> dict[tuple[int, int, str | None], Correction]:
    """The latest correction of each mark (a later decision replaces an earlier one)."""
    out: dict[tuple[int, int, str | None], Correction] = {}
    for c in article.corrections:
        out[c.key] = c
    return out


def final_labels(
    article: CorrectedArticle, include_unreviewed: bool = False
) -> list[tuple[int, int, str]]:
    """The training labels of an article: `(start, end, technique)`, sorted.

    Confirmed marks keep their technique, relabelled ones take the new one, added ones are
    kept; rejected and removed marks are dropped. With `include_unreviewed`, model marks the
    reader neither confirmed nor rejected are kept too when they score at least
    `DEFAULT_MIN_SCORE` (the marks shown by default).
    """
    decided = verdicts(article)
    rows = {
        (c.start, c.end, c.technique)
        for c in decided.values()
        if c.action in POSITIVE and c.technique
    }
    if include_unreviewed:
        rows |= {
            (m.start, m.end, m.technique)
            for m in article.spans
            if m.technique
            and (m.start, m.end, m.technique) not in decided
            and (m.score is None or m.score >= DEFAULT_MIN_SCORE)
        }
    return sorted(rows)  # type: ignore[arg-type]


def summarize_corrections(article: CorrectedArticle) -> dict[str, int]:
    """How many marks of each kind of decision an article has (latest decision per mark)."""
    counts = {a: 0 for a in ("confirm", "reject", "relabel", "add")}
    for c in verdicts(article).values():
        if c.action in counts:
            counts[c.action] += 1
    return counts


def export_corpus(
    articles: Iterable[CorrectedArticle],
    out: str | Path,
    name: str = "corrections",
    include_unreviewed: bool = False,
    extra: Iterable[Doc] = (),
) -> dict[str, int]:
    """Write a SemEval-style folder that `proplens train --corpus OUT/<name>-articles` reads.

    Args:
        articles: Corrected articles (see `read_corrections`, `Store.corrected_articles`).
        out: Folder to write into (created if needed).
        name: Prefix of the articles folder and label file.
        include_unreviewed: Keep marks nobody reviewed (see `final_labels`).
        extra: Gold docs with ids (e.g. a PTC split) copied in with their labels, so that one
            folder trains on both.

    Returns:
        Counts: `articles` (corrected ones written), `labels` (their label rows),
        `extra_articles` and `extra_labels`.

    Raises:
        CorrectionsError: The articles folder already holds files (nothing is overwritten).
    """
    from proplens.corpus.semeval import write_labels

    root = Path(out)
    folder = root / f"{name}-articles"
    if folder.exists() and any(folder.iterdir()):
        raise CorrectionsError(
            f"{folder} already holds files; export into an empty folder or pick another `--name`."
        )
    folder.mkdir(parents=True, exist_ok=True)
    docs: list[Doc] = []
    n_labels = 0
    for art in merge(articles):
        doc = Doc(art.text, id=article_id(art.text), title=art.title)
        for start, end, technique in final_labels(art, include_unreviewed):
            doc.add_span(start, end, technique, 1.0)
        n_labels += len(doc.spans)
        docs.append(doc)
    extra_docs = list(extra)
    for doc in [*docs, *extra_docs]:
        # Bytes, not text mode: "\r\n" must stay two characters, as the offsets count them.
        (folder / f"article{doc.id}.txt").write_bytes(doc.text.encode("utf-8"))
    write_labels(root / f"{name}-task-flc-tc.labels", [*docs, *extra_docs], "flc")
    return {
        "articles": len(docs),
        "labels": n_labels,
        "extra_articles": len(extra_docs),
        "extra_labels": sum(len(d.spans) for d in extra_docs),
    }
