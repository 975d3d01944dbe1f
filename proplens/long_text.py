"""Long texts analysed one segment at a time, so peak memory depends on the segment size.

The encoder keeps a vector per word piece (about 0.8 GB per MB of text), so the pipeline cuts a
clean text longer than `SEGMENT_CHARS` at paragraph or sentence ends into segments (`segments`),
encodes and decodes each with its offsets shifted back to the whole text (`pieces`), drops it,
and joins the segments' spans (`merge`). Repetition statistics are then those of each segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from proplens.cancel import check
from proplens.doc import Doc

SEGMENT_CHARS = 50_000  # longer clean texts are analysed in segments (PTC's longest: 48,292)
_BREAKS = ("\n\n", "\n", ". ", "! ", "? ", " ")


def segments(text: str, size: int) -> list[tuple[int, int]]:
    """Cut `text` into consecutive `(start, end)` pieces of at most `size` characters, each
    ending after a paragraph break if one is in its second half, else a line break, a sentence
    end or a space, else exactly at `size`.

    Example:
        >>> segments("One. Two. Three.", 10)
        [(0, 10), (10, 16)]
    """
    out, start = [], 0
    while len(text) - start > size:
        end = start + size
        for mark in _BREAKS:
            cut = text.rfind(mark, start + size // 2, end)
            if cut >= 0:
                end = cut + len(mark)
                break
        out.append((start, end))
        start = end
    out.append((start, len(text)))
    return out


class ShiftedMap:
    """An offset map for a segment: segment offsets are shifted to the whole clean text first.

    Args:
        omap: The whole text's map from clean offsets to `doc.text` (an `OffsetMap`).
        shift: Where the segment starts in the clean text.
    """

    def __init__(self, omap: Any, shift: int) -> None:
        self.omap, self.shift = omap, shift

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        return self.omap.to_raw(start + self.shift, end + self.shift)

    def to_clean(self, start: int, end: int, alignment_mode: str = "strict"):
        mapped = self.omap.to_clean(start, end, alignment_mode=alignment_mode)
        return None if mapped is None else (mapped[0] - self.shift, mapped[1] - self.shift)


def pieces(text: str, omap: Any, size: int) -> Iterator[tuple[str, ShiftedMap]]:
    """Each segment of the clean `text` with its offset map to `doc.text`, made only when asked
    for, after checking that the analysis was not cancelled (`proplens.cancel`).

    Args:
        text: The clean text.
        omap: Its map to `doc.text`.
        size: The longest segment, in characters.
    """
    for start, end in segments(text, size):
        check()
        yield text[start:end], ShiftedMap(omap, start)


def merge(doc: Doc, parts: Iterable[Doc]) -> Doc:
    """A new `Doc` with the text of `doc` and the spans and span groups of every analysed
    segment, the spans in order of their offsets.

    Args:
        doc: The article.
        parts: The analysed segments (Docs of the same text), read one at a time.
    """
    out = doc.copy(with_spans=False)
    for done in parts:
        out.spans.extend(done.spans)
        for key, group in done.span_groups.items():
            out.span_groups.setdefault(key, []).extend(group)
    out.spans.sort(key=lambda s: (s.start, s.end))
    return out
