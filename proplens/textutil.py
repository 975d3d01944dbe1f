"""Small text helpers shared by the views and the pipeline."""

from __future__ import annotations

import re
import unicodedata

# Control characters (ESC, BEL, C1...) other than tab and newline: an article must not be able
# to drive the reader's terminal (retitle it, clear it, write the clipboard with OSC 52).
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with terminal control characters replaced by U+FFFD, for display only.

    Tab and newline are kept, and the length is unchanged (one character for one), so the
    result lines up with the original text. Never apply it to `Doc.text` or to JSON output.
    """
    return _TERMINAL_CONTROL.sub("\ufffd", text)


_JOINERS = "\u200d\ufe0e\ufe0f"  # zero-width joiner, text/emoji variation selectors


def _inside_cluster(text: str, pos: int) -> bool:
    """True when `pos` falls inside a grapheme cluster (a boundary there would split it)."""
    if not 0 < pos < len(text):
        return False
    here, before = text[pos], text[pos - 1]
    return (
        unicodedata.category(here) in ("Mn", "Mc", "Me")  # combining marks
        or here in _JOINERS
        or "\U0001f3fb" <= here <= "\U0001f3ff"  # skin-tone modifiers
        or before == "\u200d"
        or (before == "\r" and here == "\n")
        or (unicodedata.combining(before) == 9 and here.isalpha())  # virama conjuncts (क्ष)
    )


def snap_to_graphemes(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `[start, end)` so that neither end splits a grapheme cluster of `text`.

    Example:
        >>> snap_to_graphemes("cafe\\u0301 bar", 0, 4)
        (0, 5)
    """
    while _inside_cluster(text, start):
        start -= 1
    while _inside_cluster(text, end):
        end += 1
    return start, end
