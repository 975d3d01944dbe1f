from __future__ import annotations

import pytest

from proplens.textutil import printable


@pytest.mark.parametrize(
    "text,expected",
    [
        ("plain\ttext\nnext", "plain\ttext\nnext"),
        ("\x1b]0;PWNED\x07", "\ufffd]0;PWNED\ufffd"),
        ("a\x1b[2Jb\x9b31mc", "a\ufffd[2Jb\ufffd31mc"),
        ("\x00\x7f\r\x85", "\ufffd\ufffd\ufffd\ufffd"),
        ("émoji 👍🏽 עברית", "émoji 👍🏽 עברית"),
    ],
)
def test_textutil_printable_replaces_terminal_controls(text, expected):
    assert printable(text) == expected and len(printable(text)) == len(text)
