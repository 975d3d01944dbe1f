"""SemEval-2023 Task 3 span files, mapped onto the PTC labels."""

from __future__ import annotations

import re

import pytest

from proplens.corpus.semeval2023 import read_semeval2023
from proplens.errors import CorpusFormatError
from tests.conftest import SHARED

TEXT = "Zoë’s “experts” failed again.\nWhat about their friends?\n"


def _corpus(tmp_path, rows: str):
    (tmp_path / "a").mkdir()
    (tmp_path / "s").mkdir()
    (tmp_path / "a" / "article5.txt").write_bytes(TEXT.encode("utf-8"))
    (tmp_path / "a" / "article6.txt").write_bytes(b"No labels here.\n")
    (tmp_path / "s" / "article5-labels-subtask-3.txt").write_text(rows, newline="")
    return tmp_path / "a", tmp_path / "s"


def test_semeval2023_maps_labels_and_skips_dropped(tmp_path):
    rows = "5\tLoaded_Language\t7\t14\n5\tWhataboutism\t30\t54\n5\tAppeal_to_Time\t0\t5\n"
    docs = read_semeval2023(*_corpus(tmp_path, rows))
    assert [d.id for d in docs] == ["5", "6"]
    assert [(s.technique, s.text) for s in docs[0].spans] == [
        ("Loaded_Language", "experts"),
        ("Whataboutism,Straw_Men,Red_Herring", "What about their friends"),
    ]
    assert docs[1].spans == []


def test_semeval2023_keeps_original_labels(tmp_path):
    docs = read_semeval2023(*_corpus(tmp_path, "5\tAppeal_to_Time\t0\t5\n"), map_to_ptc=False)
    assert [(s.technique, s.text) for s in docs[0].spans] == [("Appeal_to_Time", "Zoë’s")]


@pytest.mark.parametrize(
    "row,message",
    [
        ("5\tDoubt\t7", "line 1: expected 4 tab-separated columns"),
        ("5\tDoubts\t7\t14", "line 1: unknown SemEval-2023 technique 'Doubts'"),
        ("5\tDoubt\t7\tx", "line 1: offsets '7', 'x' are not whole numbers"),
        ("5\tDoubt\t7\t999", "line 1: the span \\[7, 999\\) does not fit article 5"),
        ("6\tDoubt\t7\t14", "line 1: the row names article 6, not 5"),
    ],
)
def test_semeval2023_bad_rows(tmp_path, row, message):
    with pytest.raises(CorpusFormatError, match=message):
        read_semeval2023(*_corpus(tmp_path, row + "\n"))


@pytest.mark.corpus
def test_semeval2023_offsets_are_str_indices():
    root = SHARED / "corpora" / "semeval2023-en"
    if not root.is_dir():
        pytest.skip(f"SemEval-2023 corpus not found at {root}.")
    docs = read_semeval2023(
        root / "train-articles-subtask-3", root / "train-labels-subtask-3-spans", map_to_ptc=False
    )

    def at_word_boundaries(text, s):
        left = s.start == 0 or not (text[s.start - 1].isalnum() and text[s.start].isalnum())
        right = s.end == len(text) or not (text[s.end - 1].isalnum() and text[s.end].isalnum())
        return left and right

    # Spans after a non-ASCII character would be shifted if offsets counted bytes.
    checks = [
        at_word_boundaries(d.text, s)
        for d in docs
        for s in d.spans
        if re.search(r"[^\x00-\x7f]", d.text[: s.start])
    ]
    assert len(checks) > 1000
    assert sum(checks) / len(checks) > 0.99
