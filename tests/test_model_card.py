"""The model card says how the model decodes spans and what it was trained on."""

from __future__ import annotations

import json

import pytest

from proplens.model_card import model_card
from proplens.shipped import SHIPPED

CONFIG = json.loads((SHIPPED["fast"] / "config.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("bound, says", [(True, True), (False, False)])
def test_card_says_whether_spans_stay_within_a_sentence(bound, says):
    config = {**CONFIG, "span_detector": {**CONFIG["span_detector"], "sentence_bound": bound}}
    assert ("within its sentence" in model_card(config, {})) is says


@pytest.mark.parametrize("pseudo, line", [(None, None), (1500, "Self-training: 1500 unlabelled")])
def test_card_names_the_teacher_of_a_self_trained_model(pseudo, line):
    meta = (
        {}
        if pseudo is None
        else {
            "pseudo_labels": {
                "articles": pseudo,
                "teacher": "proplens-mpnet",
                "teacher_version": "1",
            }
        }
    )
    card = model_card(CONFIG, meta)
    assert ("Self-training" in card) is (line is not None)
    if line:
        assert line in card and "proplens-mpnet 1" in card
