"""Tests for proplens.normalize: the repairs, the offset map, and round-trip properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proplens.normalize import OffsetMap, normalize


def wordchars(text: str) -> str:
    """The word characters of a text, concatenated: what normalisation must never change."""
    return "".join(re.findall(r"[^\W_]", text))


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("An in-\ndepth look", "An in-depth look"),
        ("the recap-\nturing of", "the recapturing of"),
        ("the recap\u00ad\nturing of", "the recapturing of"),
        ("recap\u00adturing", "recapturing"),
        ("the Syrian-\nIraqi border", "the Syrian-Iraqi border"),
        ("a 9-month-\nlong wait", "a 9-month-long wait"),
        ("large-scale and large-\nscale", "large-scale and large-scale"),
        ("the COVID19-\nvariant", "the COVID19-variant"),
        ("from 2017-\n2018", "from 2017-2018"),
        ("then re-\nsealed, resealed", "then resealed, resealed"),
        ("  two   spaces\there  ", "two spaces here"),
        ("a\u00a0b\u200bc", "a bc"),
        ("a wrapped\nline and\r\nanother\rone.", "a wrapped line and another one."),
        ("Para one.\n\n\n  \nPara two.", "Para one.\n\nPara two."),
        ("Para one.\r\n\r\nPara two.", "Para one.\n\nPara two."),
        ("\n\n  lead and trail  \n\n", "lead and trail"),
        ("Items:\n- one\n- two", "Items:\n- one\n- two"),
        ("one way \u2013\nto go", "one way \u2013 to go"),
    ],
)
def test_normalize_repairs(raw, clean):
    assert normalize(raw)[0] == clean


def test_normalize_keeps_sentence_per_line_text():
    raw = "Title of the piece\n\nFirst sentence.\nSecond one!\nA third?\nand a wrap."
    assert (
        normalize(raw)[0]
        == "Title of the piece\n\nFirst sentence.\nSecond one!\nA third? and a wrap."
    )


def test_normalize_joins_hard_wrapped_text():
    raw = "The army said on\nMonday that it had\nTaken the city.\nThe end came in\nOctober."
    assert (
        normalize(raw)[0]
        == "The army said on Monday that it had Taken the city. The end came in October."
    )


def test_normalize_offsets_into_crlf_text():
    raw = "Line one wraps\r\nhere.\r\n\r\nNext  paragraph\u00a0word."
    clean, omap = normalize(raw)
    for word in re.finditer(r"\w+", clean):
        rs, re_ = omap.to_raw(word.start(), word.end())
        assert raw[rs:re_] == word.group()


def test_normalize_inserted_chars_map_to_replaced_char():
    raw = "a\r\nb\n\nc"
    clean, omap = normalize(raw)
    assert clean == "a b\n\nc"
    assert [omap.to_raw_offset(i) for i in range(len(clean))] == [0, 1, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "mode,expected", [("strict", "captu"), ("expand", "recapturing"), ("contract", None)]
)
def test_normalize_to_clean_alignment(mode, expected):
    raw = "the recap-\nturing of"
    clean, omap = normalize(raw)
    span = omap.to_clean(raw.index("cap"), raw.index("ring"), mode, clean=clean)
    assert (clean[span[0] : span[1]] if span else None) == expected


def test_normalize_to_clean_contract_drops_partial_words():
    clean, omap = normalize("alpha  beta gamma")
    span = omap.to_clean(2, 13, "contract", clean=clean)
    assert clean[span[0] : span[1]] == "beta"


def test_normalize_offset_map_json_roundtrip():
    raw = "x  y-\nz\n\nw\u00ad\nv"
    clean, omap = normalize(raw)
    data = omap.to_json()
    assert data["clean_length"] == len(clean)
    assert all(len(seg) == 3 for seg in data["segments"])
    assert OffsetMap.from_json(data) == omap


def test_normalize_empty_and_blank():
    assert normalize("")[0] == ""
    assert normalize(" \n\t\r\n")[0] == ""
    assert normalize("")[1].to_raw(0, 0) == (0, 0)


# --- properties -------------------------------------------------------------------------------

WORDS = st.sampled_from(["in", "depth", "Recap", "turing", "the", "Army", "9", "x", "é", "end."])
SEPS = st.sampled_from(
    [" ", "  ", "\t", "\n", "\n\n", "-\n", "\r\n", "\u00ad", "\u00ad\n", "\u00a0", " \n "]
)
RAW = st.lists(st.tuples(WORDS, SEPS), max_size=30).map(lambda xs: "".join(w + s for w, s in xs))
CLEAN = st.lists(
    st.lists(st.lists(WORDS, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=3).map(
        " ".join
    ),
    max_size=4,
).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(RAW, st.data())
def test_normalize_any_clean_span_maps_to_same_words(raw, data):
    clean, omap = normalize(raw)
    assert len(omap) == len(clean)
    if not clean:
        return
    start = data.draw(st.integers(0, len(clean) - 1))
    end = data.draw(st.integers(start + 1, len(clean)))
    rs, re_ = omap.to_raw(start, end)
    assert wordchars(raw[rs:re_]) == wordchars(clean[start:end])
    assert omap.to_clean(rs, re_, "strict") == (start, end)


@settings(max_examples=300, deadline=None)
@given(RAW)
def test_normalize_is_idempotent(raw):
    once = normalize(raw)[0]
    assert normalize(once)[0] == once


@settings(max_examples=200, deadline=None)
@given(CLEAN)
def test_normalize_identity_on_clean_text(text):
    clean, omap = normalize(text)
    assert clean == text
    assert omap == OffsetMap.identity(len(text))


def test_normalize_sample_article(sample_pdf_text):
    raw = sample_pdf_text.read_bytes().decode("utf-8")
    clean, omap = normalize(raw)
    assert "  " not in clean and "in-depth" in clean and "recapturing" in clean
    assert all(p and "\n" not in p for p in clean.split("\n\n"))
    for word in re.finditer(r"\w+", clean):
        rs, re_ = omap.to_raw(word.start(), word.end())
        assert raw[rs:re_].replace("-\n", "").replace("-\r\n", "") == word.group()
