"""Tests for proplens.sentences."""

from __future__ import annotations

import pytest

from proplens.normalize import normalize
from proplens.sentences import regex_split, split_sentences

CASES = [
    ("Mr. Smith met Dr. Jones in the U.S. on Monday. They talked.", 2),
    ("The rate rose to 3.5 percent. It was a 9-month-long standoff.", 2),
    ("It ended on 26 October 2017. Then peace came.", 2),
    ('"Go!" he said. She left.', 2),
    ("Wait... what? Yes.", 2),
    ("E.g. this one. J. K. Rowling wrote it.", 2),
    ("He works for the U.S. Army. He said so.", 2),
]


@pytest.mark.parametrize("text,n", CASES)
@pytest.mark.parametrize("splitter", [split_sentences, regex_split])
def test_sentences_hard_cases(splitter, text, n):
    spans = splitter(text)
    assert len(spans) == n
    assert " ".join(text[s:e] for s, e in spans) == text


def test_sentences_line_breaks_end_sentences():
    text = "Title line\n\nFirst one\nSecond one here.  Third."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Title line",
        "First one",
        "Second one here.",
        "Third.",
    ]


@pytest.mark.parametrize("text", ["", "   \n\n ", "No end mark"])
def test_sentences_degenerate_inputs(text):
    assert split_sentences(text) == ([(0, len(text))] if text.strip() else [])


def test_sentences_repeated_sentences_get_distinct_offsets():
    text = "Same. Same. Same."
    assert split_sentences(text) == [(0, 5), (6, 11), (12, 17)]


def test_sentences_sample_article(sample_pdf_text):
    clean, _ = normalize(sample_pdf_text.read_bytes().decode("utf-8"))
    spans = split_sentences(clean)
    texts = [clean[s:e] for s, e in spans]
    assert all(t == t.strip() and "\n" not in t for t in texts)
    assert any(t.endswith("near the border with Syria on 26 October 2017.") for t in texts)
    assert any(t.startswith("9-month-long standoff") for t in texts)
    assert 30 <= len(spans) <= 45
