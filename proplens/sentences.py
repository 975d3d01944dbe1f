"""Sentence segmentation with character offsets.

Every line break ends a sentence (in clean text a kept line break separates paragraphs, list items
or the lines of a one-sentence-per-line article); inside a line, pysbd's rule-based English
segmenter finds the boundaries. It handles "Mr.", "U.S.", "e.g.", initials, decimals, dates,
quotes and ellipses. On the 5,000-character sample article it takes about 4 ms per 1,000
characters. Should pysbd ever return a sentence that is not a substring of its input, the rest of
that line falls back to a small regex splitter.

pysbd itself takes time that grows with the square of a line's length: it rewrites the whole line
once per abbreviation-like word ("is", "no", "co"…) and searches each sentence from the line's
start. `_segmenter` returns a pysbd segmenter with two exact shortcuts (see `_fast_pysbd`), so
a 200,000-character line of one repeated sentence takes seconds instead of minutes, with the
same sentences.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LINE = re.compile(r"[^\n\r\f\v\u2028\u2029]+")
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt gov sen rep pres rev vs etc inc ltd co corp "
    "no jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e a.m p.m u.s u.k u.n".split()
)
_REGEX_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")


@lru_cache(maxsize=1)
def _segmenter():
    return _fast_pysbd()(language="en", clean=False)


def _fast_pysbd() -> type:
    """pysbd's English `Segmenter` with two shortcuts that give exactly its sentences.

    1. An abbreviation's replacement (its period becomes "∯" where the next word allows) is a
       regex substitution over the whole line, which pysbd runs once per occurrence of the
       abbreviation. A substitution only ever turns "." into "∯", and for a plain key (letters,
       digits, periods) that change can neither create a match nor undo one, so running the
       same substitution again changes nothing: it is run once per key and line.
    2. pysbd finds each sentence in the line by scanning from its start for the first match
       that ends after the previous sentence; with one scan kept per distinct sentence text
       (resumed where it stopped, since that end only grows) the answers are the same.
    """
    import pysbd
    from pysbd.lang.english import English
    from pysbd.utils import TextSpan

    plain = re.compile(r"[A-Za-z0-9.]+")

    class Replacer(English.AbbreviationReplacer):
        def search_for_abbreviations_in_string(self, text):
            self._applied = set()
            return super().search_for_abbreviations_in_string(text)

        def scan_for_replacements(self, txt, am, ind, char_array):
            key = am.strip()
            if key in self._applied:
                return txt
            char = char_array[ind] if ind < len(char_array) else ""
            if plain.fullmatch(key) and (
                not str(char).isupper()
                or key.lower() in self.lang.Abbreviation.PREPOSITIVE_ABBREVIATIONS
            ):
                self._applied.add(key)  # the substitution runs now
            return super().scan_for_replacements(txt, am, ind, char_array)

    class Language(English):
        AbbreviationReplacer = Replacer

    class Segmenter(pysbd.Segmenter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.language_module = Language

        def sentences_with_char_spans(self, sentences):
            spans, prior_end, scans = [], 0, {}
            for sent in sentences:
                if sent not in scans:
                    scans[sent] = re.finditer(rf"{re.escape(sent)}\s*", self.original_text)
                for match in scans[sent]:
                    if match.end() > prior_end:
                        spans.append(TextSpan(match.group(), match.start(), match.end()))
                        prior_end = match.end()
                        break
            return spans

    return Segmenter


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentences.

    Args:
        text: Usually the clean text from `proplens.normalize.normalize`.
    Returns:
        Half-open `(start, end)` offsets into `text`, in order, without surrounding whitespace.

    Example:
        >>> text = 'Mr. Smith left the U.S. on 26 October 2017. "Go!" he said.'
        >>> [text[s:e] for s, e in split_sentences(text)]
        ['Mr. Smith left the U.S. on 26 October 2017.', '"Go!" he said.']
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        if line.group().strip():
            spans.extend(_split_line(text, line.start(), line.end()))
    return spans


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for sentence in _segmenter().segment(text[start:end]):
        s = sentence.strip()
        if not s:
            continue
        i = text.find(s, cursor, end)
        if i < 0:  # pysbd changed the text: split the rest ourselves
            return spans + regex_split(text, cursor, end)
        spans.append((i, i + len(s)))
        cursor = i + len(s)
    return spans


def regex_split(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """A fast fallback splitter for one line: ends at . ! ? … before a capital or digit,
    except after abbreviations and initials.

    Args:
        text: The text.
        start: Where to start.
        end: Where to stop (default: the end of the text).
    Returns:
        Stripped half-open sentence offsets.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for m in _REGEX_END.finditer(text, start, end):
        word = re.search(r"(\S+?)[.!?…]*$", text[begin : m.start() + 1])
        token = word.group(1).lower().rstrip(".") if word else ""
        if m.group().startswith(".") and (token in ABBREVIATIONS or len(token) == 1):
            continue
        spans.append((begin, m.end()))
        begin = m.end()
    spans.append((begin, end))
    out = []
    for s, e in spans:
        chunk = text[s:e]
        left = len(chunk) - len(chunk.lstrip())
        right = len(chunk.rstrip())
        if right > left:
            out.append((s + left, s + right))
    return out
