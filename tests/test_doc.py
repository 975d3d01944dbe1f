"""Tests for proplens.doc: what a Doc derives from its text is made once and shared."""

from __future__ import annotations

import pickle

import pytest

import proplens.normalize
from proplens.doc import Doc, Span
from proplens.errors import SpanError
from proplens.views import analysis

TEXT = "They are  traitors.\nThe plan is reck-\nless and shameful. Nothing else."


@pytest.fixture
def calls(monkeypatch):
    """How often `normalize` runs."""
    seen: list[str] = []
    real = proplens.normalize.normalize

    def counting(raw: str):
        seen.append(raw)
        return real(raw)

    monkeypatch.setattr(proplens.normalize, "normalize", counting)
    return seen


def test_doc_derived_text_matches_normalize():
    doc = Doc(TEXT)
    clean, omap = proplens.normalize.normalize(TEXT)
    assert (doc.clean, doc.offset_map) == (clean, omap)
    assert [doc.clean[s:e] for s, e in doc.clean_sentences][1] == (
        "The plan is reckless and shameful."
    )
    assert doc.sentences == [omap.to_raw(s, e) for s, e in doc.clean_sentences]


def test_doc_normalises_once_for_every_view(calls):
    doc = Doc(TEXT)
    doc.add_span(10, 18, "Name_Calling,Labeling", 0.9)
    doc.add_span(20, 23, "Loaded_Language", 0.1)
    analysis(doc)
    analysis(doc.copy())
    assert doc.clean_sentences is doc.copy().clean_sentences
    assert calls == [TEXT]


@pytest.mark.parametrize("how", ["assign", "pickle"])
def test_doc_derived_values_follow_the_text(calls, how):
    doc = Doc(TEXT)
    assert doc.clean
    if how == "assign":
        doc.text = "Other text."
        assert doc.clean == "Other text."
    else:
        again = pickle.loads(pickle.dumps(doc))
        assert "_derived" not in doc.__getstate__() and again == doc
        assert again.clean == doc.clean
    assert len(calls) == 2


def test_doc_equality_ignores_derived_values():
    doc = Doc(TEXT, id="1")
    assert doc.clean and doc == Doc(TEXT, id="1")
    assert "_derived" not in repr(doc) and "_derived" not in doc.to_json()


def test_doc_span_groups_hold_checked_spans_outside_the_json():
    doc = Doc(TEXT)
    cand = doc.add_span(10, 18, None, 0.7, group="candidates")
    assert cand.text == "traitors" and doc.spans == []
    assert doc.copy().span_groups == {"candidates": [cand]}
    assert doc.copy(with_spans=False).span_groups == {}
    assert "candidates" not in str(doc.to_json())
    with pytest.raises(SpanError, match="does not fit"):
        Doc("short", span_groups={"candidates": [Span(0, 9)]})
