"""The shipped model finds exactly what it found before the stage, taxonomy and input-layer
refactors: same spans, same techniques, same scores, on texts we wrote (expected output made
when this `fast` shipped: `made_with` in the JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import proplens

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((ROOT / "tests/data/expected/shipped-model-spans.json").read_text())


@pytest.fixture(scope="module")
def nlp():
    model = proplens.load("fast", threshold=EXPECTED["threshold"], threads=2)
    assert model.version == EXPECTED["model_version"]
    return model


@pytest.mark.parametrize("sample", sorted(EXPECTED["samples"]))
def test_shipped_model_marks_the_sample_as_before(nlp, sample):
    doc = nlp((ROOT / sample).read_text(encoding="utf-8"))
    got = [[s.start, s.end, s.technique] for s in doc.spans]
    assert got == [row[:3] for row in EXPECTED["samples"][sample]]
    scores = [s.score for s in doc.spans]
    assert scores == pytest.approx([row[3] for row in EXPECTED["samples"][sample]], abs=2e-4)


def test_shipped_model_resaved_by_to_disk_loads_and_marks_the_same(nlp, tmp_path):
    folder = nlp.to_disk(tmp_path / "resaved")
    again = proplens.load(folder, threshold=EXPECTED["threshold"], threads=2)
    original = json.loads((nlp.path / "config.json").read_text())
    written = json.loads((folder / "config.json").read_text())
    assert written == original
    assert written["taxonomy"]["name"] == "ptc-2020"
    for sample in EXPECTED["samples"]:
        text = (ROOT / sample).read_text(encoding="utf-8")
        assert [s.to_json() for s in again(text).spans] == [s.to_json() for s in nlp(text).spans]


def test_saving_over_the_loaded_folder_is_refused(nlp):
    with pytest.raises(proplens.errors.ModelError, match="loaded from"):
        nlp.to_disk(nlp.path)
