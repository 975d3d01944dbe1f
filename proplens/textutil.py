"""Small text helpers shared by the command-line views."""

from __future__ import annotations

import re

# Control characters (ESC, BEL, C1...) other than tab and newline: an article must not be able
# to drive the reader's terminal (retitle it, clear it, write the clipboard with OSC 52).
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with terminal control characters replaced by U+FFFD, for display only.

    Tab and newline are kept, and the length is unchanged (one character for one), so the
    result lines up with the original text. Never apply it to `Doc.text` or to JSON output.
    """
    return _TERMINAL_CONTROL.sub("\ufffd", text)
