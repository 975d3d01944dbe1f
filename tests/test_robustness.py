"""Stability measures: a context-free model is perfectly stable; a model that reads its
neighbours, or marks from a stop word, is caught."""

from __future__ import annotations

import pytest

from proplens.doc import Doc
from proplens.robustness import (
    boundary_quality,
    context_stability,
    format_stability,
    paragraphs,
)
from tests.fakes import KeywordPipeline

TEXTS = [
    "The traitors lied again.\nIt was a disaster for the nation.\n\nWe always “fear” the worst.",
    "A calm report on the budget.\nTraitors, said nobody.",
]


class RantDetector(KeywordPipeline):
    """Marks keywords only when the whole text holds at least three of them."""

    def __call__(self, text_or_doc):
        out = super().__call__(text_or_doc)
        if len(out.spans) < 3:
            out.spans = []
        return out


def test_paragraphs_are_non_blank_lines_with_their_offsets():
    text = "ab\n\ncd\n"
    assert [text[s:e] for s, e in paragraphs(text)] == ["ab", "cd"]


def test_context_free_model_is_perfectly_stable():
    scores = context_stability(KeywordPipeline(), TEXTS)
    assert scores["paragraphs"] == 5
    assert scores["context_f1_alone"] == scores["context_f1_other_neighbour"] == 1.0


def test_model_that_needs_its_neighbours_loses_marks_out_of_context():
    scores = context_stability(RantDetector(), TEXTS)
    assert scores["context_f1_alone"] < 0.5
    assert scores["marked_chars_alone"] < scores["marked_chars_in_article"]


def test_boundary_quality_counts_stop_word_edges():
    pred = Doc("They are the traitors of it")
    pred.add_span(5, 20, "Loaded_Language")  # "are the traitor": starts on a stop word
    pred.add_span(9, 21, "Loaded_Language")  # "the traitors"
    gold = Doc(pred.text)
    gold.add_span(13, 21, "Loaded_Language")
    scores = boundary_quality([pred], [gold])
    assert scores["pred_stop_start"] == 1.0 and scores["pred_stop_end"] == 0.0
    assert scores["gold_stop_either"] == 0.0 and scores["gold_len_max"] == 8


@pytest.mark.parametrize("variant", ["crlf", "hard_wrap_70", "straight_quotes", "html"])
def test_format_stability_of_a_context_free_model_is_complete(variant):
    assert format_stability(KeywordPipeline(), TEXTS)[f"kept_{variant}"] == 1.0
