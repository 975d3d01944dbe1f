"""Shipped models by name: `proplens models`, `--model fast|accurate`, the default rule."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from proplens import shipped
from proplens.cli import app
from proplens.errors import ModelError


def test_models_lists_the_shipped_models_and_marks_the_default_once(monkeypatch):
    monkeypatch.delenv("PROPLENS_MODEL")
    result = CliRunner().invoke(app, ["models", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert set(rows) == set(shipped.available()) and "fast" in rows
    assert [name for name, row in rows.items() if row["default"]] == [shipped.default_name()]
    assert 0 < rows["fast"]["size_mb"] < 30


def test_a_model_not_shipped_in_this_release_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setitem(shipped.SHIPPED, "accurate", tmp_path / "absent")
    with pytest.raises(ModelError, match="accurate model is not shipped in this release"):
        shipped.resolve_model("accurate")


def _model(folder, si, tc):
    folder.mkdir()
    meta = {"dev_protocol_scores": {"si_f1": si, "tc_f1": tc}}
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


@pytest.mark.parametrize(
    "accurate, expected",
    [((0.42, 0.61), "fast"), ((0.44, 0.60), "accurate"), ((0.40, 0.63), "accurate")],
)
def test_accurate_is_the_default_only_when_it_beats_fast_by_two_points(
    monkeypatch, tmp_path, accurate, expected
):
    monkeypatch.setitem(shipped.SHIPPED, "fast", _model(tmp_path / "f", 0.41, 0.60))
    monkeypatch.setitem(shipped.SHIPPED, "accurate", _model(tmp_path / "a", *accurate))
    monkeypatch.delenv("PROPLENS_MODEL", raising=False)
    assert shipped.default_name() == expected
    assert shipped.resolve_model(None) == shipped.SHIPPED[expected]


def test_proplens_model_names_the_model_used_when_none_is_given(monkeypatch, tmp_path):
    monkeypatch.setitem(shipped.SHIPPED, "fast", _model(tmp_path / "f", 0.41, 0.60))
    monkeypatch.setitem(shipped.SHIPPED, "accurate", _model(tmp_path / "a", 0.41, 0.65))
    monkeypatch.setenv("PROPLENS_MODEL", "fast")
    assert shipped.resolve_model(None) == shipped.SHIPPED["fast"]
    assert shipped.resolve_model("accurate") == shipped.SHIPPED["accurate"]


@pytest.mark.parametrize(
    "option, env, expected",
    [
        (None, {}, "fast"),
        ("accurate", {}, "accurate"),
        (None, {"PROPLENS_MODEL": "accurate"}, "accurate"),
        (None, {"PROPLENS_PIPELINE_FACTORY": "mod:make"}, "mod:make"),
    ],
)
def test_batch_uses_the_fast_model_unless_told_otherwise(monkeypatch, option, env, expected):
    from proplens.runner import batch_factory

    for name in ("PROPLENS_MODEL", "PROPLENS_PIPELINE_FACTORY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert batch_factory(option) == expected
