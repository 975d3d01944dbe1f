"""Clean messy article text for the models, with an offset map back to the raw text.

`normalize(raw)` never changes `raw` (that is `Doc.text`); it returns a cleaned copy and an
`OffsetMap` from each clean character to the raw character it came from. Models read the clean
text; every span they find goes through `OffsetMap.to_raw` before it enters a `Doc`.

Repairs, in order of application on each line and line break:

* Zero-width characters (U+200B-U+200D, U+2060, U+FEFF) and soft hyphens (U+00AD) are removed.
* Runs of spaces, tabs, NBSP and other Unicode spaces become one space; spaces at the start or end
  of a line are removed, and so are blank lines at the start and end of the text.
* Line breaks are `\\r\\n`, `\\r`, `\\n`, `\\f`, `\\v`, U+2028 and U+2029. One or more blank lines
  between two lines become exactly one paragraph break, `"\\n\\n"`.
* A single line break between two lines A and B is decided like this, first match wins:

  1. A ends with a soft hyphen after a letter: joined with nothing ("recap\\u00ad\\nturing").
  2. B starts with a list marker ("- ", "* ", "• ", "1. ", "2) "): kept as `"\\n"`.
  3. A ends with a letter or digit + "-" and B starts with a letter or digit (a word
     hyphenated across the break): joined with nothing. The hyphen is kept when B starts
     with a capital or a digit ("Syrian-\\nIraqi"), when the word before it is already
     hyphenated ("9-month-\\nlong"), when the text spells the pair with a hyphen elsewhere,
     or when the part before the hyphen holds a digit ("COVID19-\\nvariant") or is a short
     prefix from `KEEP_HYPHEN_PREFIXES` ("in-\\ndepth" -> "in-depth"). It is dropped when
     the text spells the joined word elsewhere, and otherwise ("recap-\\nturing" ->
     "recapturing").
  4. B starts with a lowercase letter: a hard wrap, joined with a space.
  5. Otherwise the break is ambiguous (B starts with a capital, a digit, a quote...). It becomes a
     space in a *hard-wrapped* text and stays `"\\n"` in a *line-per-sentence* text (the PTC
     corpus). A text counts as hard-wrapped when at least `WRAP_RATIO` of its single breaks (list
     breaks aside) look like wraps: rule 1, 3 or 4 applies, or A does not end a sentence
     (its last character is not one of `SENTENCE_END`).

This rule keeps one-sentence-per-line articles as they are (only genuine wraps are joined) while
PDF-extracted text gets whole paragraphs. `normalize` is idempotent and leaves clean text
(single spaces, no edge spaces, paragraphs joined by `"\\n\\n"`) unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

HSPACE = " \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
HSPACE += "\u202f\u205f\u3000"
IGNORABLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
SENTENCE_END = frozenset(".!?:…\"”'’)]»")
# Measured: PTC articles (line per sentence) score at most 0.36, the PDF-extracted sample 0.93.
WRAP_RATIO = 0.5
KEEP_HYPHEN_PREFIXES = frozenset(
    "in on off out up well long short self non co anti pro ex x all half cross semi".split()
)

_BREAK = re.compile(r"\r\n|[\n\r\f\v\u2028\u2029]")
_TOKEN = re.compile(
    rf"(?P<gap>[{IGNORABLE}]*[{HSPACE}][{HSPACE}{IGNORABLE}]*)"
    rf"|(?P<ign>[{IGNORABLE}]+)"
    # A run of words joined by single plain spaces is one piece: it is copied verbatim, and
    # per-word pieces cost ~75 bytes of memory per input byte on long texts.
    rf"|(?P<text>[^{HSPACE}{IGNORABLE}]+(?: [^{HSPACE}{IGNORABLE}]+)*)"
)
_FIRST_SPACE = re.compile(rf"[{HSPACE}]")
_LIST_MARKER = re.compile(r"(?:[-*•·▪‣–—]|\d{1,3}[.)])\s")
_LAST_WORD = re.compile(r"(\w+)(-?)-$")
_FIRST_WORD = re.compile(r"\w+")
_WORDS = re.compile(r"\w+(?:-\w+)*")

# Break kinds between two content lines.
_SOFT, _LIST, _HYPHEN_KEEP, _HYPHEN_DROP, _LOWER, _AMBIGUOUS = range(6)


class OffsetMap:
    """Where each character of a clean text came from in the raw text.

    `raw_index[i]` is the raw offset of clean character `i`; the array is strictly increasing.
    A character that `normalize` inserted (a space for a line break) maps to the raw character it
    replaces (the `\\r` of a `\\r\\n`).

    Args:
        raw_index: One raw offset per clean character.
        raw_length: Length of the raw text.
    """

    def __init__(self, raw_index: Iterable[int] | np.ndarray, raw_length: int) -> None:
        self.raw_index = np.asarray(raw_index, dtype=np.int32)
        self.raw_length = int(raw_length)

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        """The map of a text that normalisation left unchanged."""
        return cls(np.arange(length, dtype=np.int32), length)

    def __len__(self) -> int:
        return len(self.raw_index)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, OffsetMap)
            and self.raw_length == other.raw_length
            and np.array_equal(self.raw_index, other.raw_index)
        )

    def __repr__(self) -> str:
        return (
            f"OffsetMap(clean={len(self)}, raw={self.raw_length}, segments={len(self.segments())})"
        )

    def to_raw_offset(self, i: int) -> int:
        """The raw offset of clean offset `i`; `len(clean)` maps to just after the last char."""
        n = len(self.raw_index)
        if not 0 <= i <= n:
            raise IndexError(f"Clean offset {i} is outside [0, {n}].")
        if i == n:
            return int(self.raw_index[-1]) + 1 if n else 0
        return int(self.raw_index[i])

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open clean span `[start, end)` to a half-open raw span.

        Args:
            start: Clean start offset.
            end: Clean end offset (exclusive).
        Returns:
            `(raw_start, raw_end)` with `raw_end` = raw offset of `clean[end - 1]` + 1, so the raw
            span covers the source of the clean characters and what was removed between them.
        """
        n = len(self.raw_index)
        if not 0 <= start <= end <= n:
            raise IndexError(f"Clean span [{start}, {end}) does not fit a text of {n} characters.")
        if start == end:
            pos = self.to_raw_offset(start)
            return pos, pos
        return int(self.raw_index[start]), int(self.raw_index[end - 1]) + 1

    def to_clean(
        self, raw_start: int, raw_end: int, alignment_mode: str = "expand", clean: str | None = None
    ) -> tuple[int, int] | None:
        """Map a raw span (e.g. a gold label) into the clean text.

        Args:
            raw_start: Raw start offset.
            raw_end: Raw end offset (exclusive).
            alignment_mode: "strict" keeps exactly the clean characters whose source lies in the raw
                span; "expand" also widens the span to whole words of `clean`; "contract" drops
                words it only partly covers. The word modes need `clean`.
            clean: The clean text (needed for "expand" and "contract").
        Returns:
            `(clean_start, clean_end)`, or None when no clean character is left.
        """
        if alignment_mode not in ("strict", "expand", "contract"):
            raise ValueError(
                f"Unknown `alignment_mode` {alignment_mode!r}; "
                "expected 'strict', 'expand' or 'contract'."
            )
        start = int(np.searchsorted(self.raw_index, raw_start, side="left"))
        end = int(np.searchsorted(self.raw_index, raw_end, side="left"))
        if alignment_mode != "strict" and start < end:
            if clean is None:
                raise ValueError(f"`alignment_mode={alignment_mode!r}` needs the `clean` text.")
            if alignment_mode == "expand":
                while start > 0 and _is_word(clean, start - 1) and _is_word(clean, start):
                    start -= 1
                while end < len(clean) and _is_word(clean, end - 1) and _is_word(clean, end):
                    end += 1
            else:
                if start > 0 and _is_word(clean, start - 1) and _is_word(clean, start):
                    while start < end and _is_word(clean, start):
                        start += 1
                if end < len(clean) and _is_word(clean, end - 1) and _is_word(clean, end):
                    while end > start and _is_word(clean, end - 1):
                        end -= 1
                while start < end and clean[start].isspace():
                    start += 1
                while end > start and clean[end - 1].isspace():
                    end -= 1
        return (start, end) if start < end else None

    def segments(self) -> list[list[int]]:
        """Run-length form: `[clean_start, raw_start, length]` per run of consecutive offsets."""
        idx = self.raw_index
        if len(idx) == 0:
            return []
        cuts = np.flatnonzero(np.diff(idx) != 1) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [len(idx)]))
        return [[int(s), int(idx[s]), int(e - s)] for s, e in zip(starts, ends, strict=True)]

    def to_json(self) -> dict:
        """`{"raw_length", "clean_length", "segments": [[clean_start, raw_start, length], ...]}`."""
        return {
            "raw_length": self.raw_length,
            "clean_length": len(self),
            "segments": self.segments(),
        }

    @classmethod
    def from_json(cls, data: dict) -> OffsetMap:
        """Rebuild a map written by `to_json`."""
        idx = np.empty(int(data["clean_length"]), dtype=np.int32)
        for c, r, n in data["segments"]:
            idx[c : c + n] = np.arange(r, r + n)
        return cls(idx, int(data["raw_length"]))


def _is_word(text: str, i: int) -> bool:
    ch = text[i]
    return ch.isalnum() or ch == "_"


class _Line:
    __slots__ = ("pieces", "first", "last", "soft_end", "text")

    def __init__(self, pieces: list[tuple[int, str]], soft_end: bool) -> None:
        self.pieces = pieces  # (raw_start, clean_text) with len(clean_text) raw chars or 1 inserted
        self.text = "".join(p for _, p in pieces)
        self.first = self.text[0]
        self.last = self.text[-1]
        self.soft_end = soft_end


def _line_pieces(raw: str, start: int, end: int) -> list[tuple[int, str]]:
    pieces: list[tuple[int, str]] = []
    for m in _TOKEN.finditer(raw, start, end):
        kind = m.lastgroup
        if kind == "text":
            pieces.append((m.start(), m.group()))
        elif kind == "gap" and pieces:
            pieces.append((_FIRST_SPACE.search(raw, m.start(), m.end()).start(), " "))  # type: ignore[union-attr]
    while pieces and pieces[-1][1] == " ":
        pieces.pop()
    return pieces


def _split_lines(raw: str) -> list[tuple[_Line | None, int]]:
    """Lines as (content or None when blank, raw offset of the break that ends it or -1)."""
    out: list[tuple[_Line | None, int]] = []
    pos = 0
    for m in _BREAK.finditer(raw):
        out.append((_make_line(raw, pos, m.start()), m.start()))
        pos = m.end()
    out.append((_make_line(raw, pos, len(raw)), -1))
    return out


def _make_line(raw: str, start: int, end: int) -> _Line | None:
    pieces = _line_pieces(raw, start, end)
    if not pieces:
        return None
    tail = raw[start:end].rstrip(HSPACE + IGNORABLE.replace("\u00ad", ""))
    soft = tail.endswith("\u00ad") and pieces[-1][1][-1].isalpha()
    return _Line(pieces, soft)


def _break_kind(a: _Line, b: _Line, words: set[str] | None) -> int:
    if a.soft_end:
        return _SOFT
    if _LIST_MARKER.match(b.text):
        return _LIST
    if a.last == "-" and b.first.isalnum():
        m = _LAST_WORD.search(a.text)
        if m and not m.group(2) and m.group(1)[-1] != "_":
            left = m.group(1)
            right = _FIRST_WORD.match(b.text).group()  # type: ignore[union-attr]
            return _hyphen_kind(a.text, m.start(), left, right, words)
    if b.first.islower():
        return _LOWER
    return _AMBIGUOUS


def _hyphen_kind(
    a_text: str, left_start: int, left: str, right: str, words: set[str] | None
) -> int:
    if right[0].isupper() or right[0].isdigit():
        return _HYPHEN_KEEP
    if (left_start > 0 and a_text[left_start - 1] == "-") or not left.isalpha():
        return _HYPHEN_KEEP
    pair, joined = f"{left}-{right}".lower(), f"{left}{right}".lower()
    if words is not None:
        if pair in words:
            return _HYPHEN_KEEP
        if joined in words:
            return _HYPHEN_DROP
    return _HYPHEN_KEEP if left.lower() in KEEP_HYPHEN_PREFIXES else _HYPHEN_DROP


def normalize(raw: str) -> tuple[str, OffsetMap]:
    """Repair hard wraps, split words, odd spaces and invisible characters for the models.

    Args:
        raw: The article text exactly as read (`Doc.text`).
    Returns:
        `(clean, offset_map)`; `offset_map.to_raw(start, end)` maps any clean span back to `raw`.

    Example:
        >>> clean, omap = normalize("An in-\\ndepth  look at recap-\\nturing\\nthe city.")
        >>> clean
        'An in-depth look at recapturing the city.'
        >>> omap.to_raw(20, 31)
        (22, 35)
    """
    lines = _split_lines(raw)
    content = [(i, ln) for i, (ln, _) in enumerate(lines) if ln is not None]
    hyphen_words = {w.lower() for w in _WORDS.findall(raw)} if "-" in raw else None

    # Classify every gap between consecutive content lines.
    gaps: list[tuple[int, list[int]]] = []  # (kind or -1 for paragraph, raw break offsets)
    wraps = singles = 0
    for (i, a), (j, b) in zip(content, content[1:], strict=False):
        breaks = [lines[k][1] for k in range(i, j)]
        if j - i > 1:
            gaps.append((-1, [breaks[0], breaks[-1]]))
            continue
        kind = _break_kind(a, b, hyphen_words)
        if kind != _LIST:
            singles += 1
            if kind != _AMBIGUOUS or a.last not in SENTENCE_END:
                wraps += 1
        gaps.append((kind, breaks))
    wrapped = singles > 0 and wraps >= WRAP_RATIO * singles

    parts: list[str] = []
    starts: list[int] = []  # raw offset of each part's first character

    def emit(raw_start: int, text: str) -> None:
        parts.append(text)
        starts.append(raw_start)

    for n, (_, line) in enumerate(content):
        if n:
            kind, breaks = gaps[n - 1]
            if kind == -1:
                emit(breaks[0], "\n")
                emit(breaks[1], "\n")
            elif kind == _HYPHEN_DROP:
                parts[-1] = parts[-1][:-1]
            elif kind == _LIST or (kind == _AMBIGUOUS and not wrapped):
                emit(breaks[0], "\n")
            elif kind in (_LOWER, _AMBIGUOUS):
                emit(breaks[0], " ")
        for raw_start, text in line.pieces:  # type: ignore[union-attr]
            emit(raw_start, text)
    clean = "".join(parts)
    lens = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    offsets = np.concatenate(([0], np.cumsum(lens)[:-1])) if len(parts) else lens
    idx = np.arange(len(clean), dtype=np.int32) + np.repeat(
        (np.asarray(starts, dtype=np.int64) - offsets).astype(np.int32), lens
    )
    return clean, OffsetMap(idx, len(raw))


# Typographic quotes and apostrophes folded to ASCII, one character for one (offsets unchanged).
QUOTE_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
# A straight quote opens when nothing but white space, an opening bracket or a dash precedes it.
_OPENING = {q: re.compile(r"(?<![^\s(\[{<\u2014\u2013/-])" + re.escape(q)) for q in ('"', "'")}
QUOTE_STYLES = ("as-is", "straight", "curly")


def curl_quotes(text: str) -> str:
    """`text` with straight quotes made typographic, one character for one (offsets unchanged):
    `"` opening (at the start, after white space, a bracket or a dash) becomes “, any other ”;
    `'` likewise ‘ or ’, so apostrophes become ’ as in most edited news text."""
    for straight, (opening, closing) in (('"', "“”"), ("'", "‘’")):
        if straight in text:
            text = _OPENING[straight].sub(opening, text).replace(straight, closing)
    return text


def requote(text: str, style: str) -> str:
    """`text` with its quotes in `style`: "as-is", "straight" (ASCII) or "curly"."""
    if style == "straight":
        return text.translate(QUOTE_FOLD)
    return curl_quotes(text) if style == "curly" else text


def quote_style(config: dict) -> str:
    """The quote style a model reads, from its config's `normalize` section (`quotes`, or the
    older `fold_quotes: true` for "straight"); "as-is" when it names none."""
    section = config.get("normalize") or {}
    style = section.get("quotes") or ("straight" if section.get("fold_quotes") else "as-is")
    if style not in QUOTE_STYLES:
        from proplens.errors import ModelError

        raise ModelError(
            f"The model's config.json asks for quote style {style!r}, which this proplens does "
            f"not know (it knows {', '.join(QUOTE_STYLES)}); upgrade proplens or retrain."
        )
    return str(style)


def normalizer(quotes: bool | str = False):
    """The normalisation a model was trained with: `normalize`, then its quotes in the model's
    style (`requote`; True means "straight", False "as-is"). The offset map is unchanged, since
    each changed character stays one character.

    Returns:
        A function `raw -> (clean, OffsetMap)`.
    """
    style = quotes if isinstance(quotes, str) else ("straight" if quotes else "as-is")
    if style == "as-is":
        return normalize

    def requoted(raw: str) -> tuple[str, OffsetMap]:
        clean, omap = normalize(raw)
        return requote(clean, style), omap

    return requoted
