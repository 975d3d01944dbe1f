"""The document model: the untouched article text plus spans with half-open char offsets."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from proplens.errors import SpanError

if TYPE_CHECKING:
    from proplens.normalize import OffsetMap

T = TypeVar("T")

META_FIELDS = ("id", "title", "source", "url", "date", "author")


@dataclass(frozen=True)
class Span:
    """A marked fragment `[start, end)` of a document's text.

    Args:
        start: Offset of the first character (a Python `str` index into `Doc.text`).
        end: Offset one past the last character.
        technique: A PTC label, or None for a span-identification-only span.
        score: Confidence in [0, 1] (1.0 for gold spans).
        text: The covered text; filled in by `Doc` so that `text == doc.text[start:end]`.
        alternatives: Runner-up techniques as `(technique, score)` pairs, best first.
    """

    start: int
    end: int
    technique: str | None = None
    score: float = 1.0
    text: str = ""
    alternatives: tuple[tuple[str, float], ...] = ()

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "technique": self.technique,
            "score": self.score,
            "text": self.text,
        }
        if self.alternatives:
            out["alternatives"] = [{"technique": t, "score": s} for t, s in self.alternatives]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Span:
        alts = tuple((a["technique"], float(a["score"])) for a in data.get("alternatives", ()))
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            technique=data.get("technique"),
            score=float(data.get("score", 1.0)),
            text=data.get("text", ""),
            alternatives=alts,
        )


@dataclass
class Doc:
    """An article: its text exactly as given, metadata, and spans.

    `doc.text` is never rewritten. Every span satisfies
    `span.text == doc.text[span.start:span.end]`. What the models and views derive from the
    text (`clean`, `offset_map`, `clean_sentences`, `sentences`) is computed on first use and
    kept, so every stage and view of one Doc shares a single normalisation and sentence split.

    Example:
        >>> doc = Doc("They are traitors.", id="1")
        >>> doc.add_span(9, 17, "Name_Calling,Labeling").text
        'traitors'
    """

    text: str
    id: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: str | None = None
    author: str | None = None
    spans: list[Span] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Named groups of working spans, e.g. the span detector's "candidates" that the technique
    # classifier reads (spaCy's `doc.spans[key]`); not part of the JSON or of equality.
    span_groups: dict[str, list[Span]] = field(default_factory=dict, repr=False, compare=False)
    # Derived from `text` on first use, each entry as (the text it was made from, value).
    _derived: dict[str, tuple[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"`Doc.text` must be a str, not {type(self.text).__name__}.")
        self.spans = [self._checked(s) for s in self.spans]
        self.span_groups = {k: [self._checked(s) for s in v] for k, v in self.span_groups.items()}

    def _checked(self, span: Span) -> Span:
        if not (0 <= span.start < span.end <= len(self.text)):
            raise SpanError(
                f"Span [{span.start}, {span.end}) does not fit a text of {len(self.text)} "
                "characters: offsets must satisfy 0 <= start < end <= len(text)."
            )
        covered = self.text[span.start : span.end]
        if span.text and span.text != covered:
            raise SpanError(
                f"Span [{span.start}, {span.end}) says its text is {span.text!r} but the "
                f"document has {covered!r} there; fix the offsets or drop the `text` field."
            )
        if not span.text:
            span = Span(
                span.start, span.end, span.technique, span.score, covered, span.alternatives
            )
        return span

    def add_span(
        self,
        start: int,
        end: int,
        technique: str | None = None,
        score: float = 1.0,
        alternatives: tuple[tuple[str, float], ...] = (),
        group: str | None = None,
    ) -> Span:
        """Add a span over `text[start:end]` to `spans`, or to `span_groups[group]`; return it."""
        span = self._checked(Span(start, end, technique, score, "", tuple(alternatives)))
        target = self.spans if group is None else self.span_groups.setdefault(group, [])
        target.append(span)
        return span

    def _derive(self, key: str, make: Callable[[], T]) -> T:
        hit = self._derived.get(key)
        if hit is None or hit[0] is not self.text:
            hit = (self.text, make())
            self._derived[key] = hit
        return hit[1]  # type: ignore[no-any-return]

    def _normalized(self) -> tuple[str, OffsetMap]:
        from proplens.normalize import normalize

        return self._derive("normalized", lambda: normalize(self.text))

    @property
    def clean(self) -> str:
        """The text normalised for the models (`proplens.normalize.normalize`), made once."""
        return self._normalized()[0]

    @property
    def offset_map(self) -> OffsetMap:
        """The `OffsetMap` from `clean` back to `text`, made once with `clean`."""
        return self._normalized()[1]

    @property
    def clean_sentences(self) -> list[tuple[int, int]]:
        """The sentences of `clean` as `(start, end)` offsets into `clean`, split once."""
        from proplens.sentences import split_sentences

        return self._derive("clean_sentences", lambda: split_sentences(self.clean))

    @property
    def sentences(self) -> list[tuple[int, int]]:
        """The same sentences as `(start, end)` offsets into `text`, mapped once."""
        return self._derive(
            "sentences", lambda: [self.offset_map.to_raw(s, e) for s, e in self.clean_sentences]
        )

    def __getstate__(self) -> dict[str, Any]:
        # Derived values (an int32 per character, the clean text) stay out of pickles sent
        # between processes; the receiving side makes them again when it needs them.
        return {k: v for k, v in self.__dict__.items() if k != "_derived"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._derived = {}

    def sorted_spans(self) -> list[Span]:
        return sorted(self.spans, key=lambda s: (s.start, s.end, s.technique or ""))

    @property
    def content_hash(self) -> str:
        """SHA-256 of the text: the identity used to skip articles already analysed."""
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()

    def meta(self) -> dict[str, Any]:
        """The metadata fields that are set, plus `extra`."""
        out = {k: getattr(self, k) for k in META_FIELDS if getattr(self, k) is not None}
        out.update(self.extra)
        return out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in META_FIELDS}
        out["text"] = self.text
        out["spans"] = [s.to_json() for s in self.spans]
        if self.extra:
            out["extra"] = self.extra
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Doc:
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise SpanError("A Doc JSON object needs a `text` field holding a string.")
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {k: data.get(k) for k in META_FIELDS if k in known}
        return cls(
            text=data["text"],
            spans=[Span.from_json(s) for s in data.get("spans", [])],
            extra=dict(data.get("extra", {})),
            **kwargs,
        )

    def copy(self, with_spans: bool = True) -> Doc:
        """A shallow copy (spans are immutable, so sharing them is safe) that keeps what was
        already derived from the text; `with_spans=False` leaves out the spans and span groups."""
        out = Doc(
            text=self.text,
            spans=list(self.spans) if with_spans else [],
            extra=dict(self.extra),
            span_groups={k: list(v) for k, v in self.span_groups.items()} if with_spans else {},
            **{k: getattr(self, k) for k in META_FIELDS},
        )
        out._derived = dict(self._derived)
        return out
