from __future__ import annotations

import pytest

from proplens.doc import Doc
from proplens.summary import band, covered_chars, summarize

TEXT = "They are traitors. The plan is reckless and shameful. Nothing else here."


def _doc(*spans):
    doc = Doc(TEXT)
    for start, end, tech, score in spans:
        doc.add_span(start, end, tech, score)
    return doc


def test_summary_empty_doc():
    sm = summarize(Doc(""))
    assert sm["n_spans"] == 0 and sm["density"] == 0.0 and sm["spans_per_1000_words"] == 0.0
    assert sm["techniques"] == [] and sm["loaded_sentences"] == []


@pytest.mark.parametrize(
    "ranges,expected",
    [
        ([], 0),
        ([(0, 5)], 5),
        ([(0, 5), (3, 8)], 8),
        ([(0, 5), (5, 8)], 8),
        ([(2, 4), (0, 10)], 10),
        ([(0, 2), (4, 6)], 4),
    ],
)
def test_summary_covered_chars_counts_overlaps_once(ranges, expected):
    doc = _doc(*[(s, e, "Doubt", 1.0) for s, e in ranges])
    assert covered_chars(doc.spans) == expected


def test_summary_counts_density_and_rate():
    doc = _doc(
        (9, 17, "Name_Calling,Labeling", 0.9),
        (31, 39, "Loaded_Language", 0.8),
        (44, 52, "Loaded_Language", 0.7),
        (31, 52, "Exaggeration,Minimisation", 0.4),
    )
    sm = summarize(doc)
    assert sm["counts"] == {
        "Loaded_Language": 2,
        "Name_Calling,Labeling": 1,
        "Exaggeration,Minimisation": 1,
    }
    assert sm["techniques"][0]["technique"] == "Loaded_Language"
    assert sm["techniques"][0]["chars"] == 16
    assert sm["covered_chars"] == 8 + 21
    assert sm["density"] == round(29 / len(TEXT), 4)
    assert sm["n_words"] == 12
    assert sm["spans_per_1000_words"] == round(4000 / 12, 2)


def test_summary_loaded_sentences_ranked_by_score():
    doc = _doc(
        (9, 17, "Name_Calling,Labeling", 0.9),
        (31, 39, "Loaded_Language", 0.8),
        (44, 52, "Loaded_Language", 0.7),
    )
    sents = summarize(doc)["loaded_sentences"]
    assert [s["text"] for s in sents] == [
        "The plan is reckless and shameful.",
        "They are traitors.",
    ]
    assert sents[0]["n_spans"] == 2 and sents[0]["techniques"] == ["Loaded_Language"]
    assert TEXT[sents[0]["start"] : sents[0]["end"]] == sents[0]["text"]


def test_summary_min_score_drops_weak_spans():
    doc = _doc((9, 17, "Name_Calling,Labeling", 0.9), (31, 39, "Loaded_Language", 0.2))
    assert summarize(doc, min_score=0.5)["counts"] == {"Name_Calling,Labeling": 1}


def test_summary_unclassified_spans_counted():
    sm = summarize(_doc((9, 17, None, 0.6)))
    assert sm["counts"] == {"Unclassified": 1}


def test_summary_loaded_sentence_across_hard_wrap():
    text = "The plan is a reckless\nand  shameful gamble by\nthe council. Calm words."
    doc = Doc(text)
    doc.add_span(text.index("reckless"), text.index("reckless") + 8, "Loaded_Language", 0.9)
    (sent,) = summarize(doc)["loaded_sentences"]
    assert sent["text"] == "The plan is a reckless and shameful gamble by the council."
    assert text[sent["start"] : sent["end"]] == text[: text.index(" Calm")]


@pytest.mark.parametrize(
    "score,expected",
    [(0.9, "likely"), (0.5, "likely"), (0.49, "possible"), (0.25, "possible"), (0.1, "weak")],
)
def test_summary_band_of_score(score, expected):
    assert band(score) == expected


def test_summary_counts_marks_per_band():
    doc = _doc((0, 4, "Doubt", 0.9), (9, 17, "Doubt", 0.3), (31, 39, "Doubt", 0.05))
    assert summarize(doc)["bands"] == {"likely": 1, "possible": 1, "weak": 1}
