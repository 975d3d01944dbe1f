"""`proplens predict` and `proplens classify` write SemEval files that `proplens score` reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from proplens.cli import app
from proplens.corpus.semeval import read_labels

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector"
ARTICLES = FIXTURE / "tiny-articles"
GOLD = FIXTURE / "tiny-task-flc-tc.labels"


def test_predict_cli_output_scores(tmp_path):
    out = tmp_path / "pred.labels"
    result = CliRunner().invoke(app, ["predict", str(ARTICLES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_labels(out, task="flc")
    assert rows and {r.article_id for r in rows} <= {"9001", "9002", "9003"}
    scored = CliRunner().invoke(app, ["score", "--task", "flc", str(GOLD), str(out), "--json"])
    assert scored.exit_code == 0, scored.output
    assert 0.0 <= json.loads(scored.output)["f1"] <= 1.0


def test_predict_cli_classify_keeps_rows_and_repeats(tmp_path):
    template = tmp_path / "template.labels"
    lines = GOLD.read_text().splitlines()
    first = lines[0].split("\t")
    rows = [f"{r.split(chr(9))[0]}\t?\t{r.split(chr(9))[2]}\t{r.split(chr(9))[3]}" for r in lines]
    rows.append(f"{first[0]}\t?\t{first[2]}\t{first[3]}")  # the first span again
    template.write_text("\n".join(rows) + "\n")
    out = tmp_path / "tc.labels"
    result = CliRunner().invoke(
        app, ["classify", str(ARTICLES), "--spans", str(template), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    got = read_labels(out, task="tc")
    want = read_labels(template, task="tc")
    assert [(r.article_id, r.start, r.end) for r in got] == [
        (r.article_id, r.start, r.end) for r in want
    ]
    assert all(r.technique for r in got)
    assert got[0].technique != got[-1].technique
    scored = CliRunner().invoke(app, ["score", "--task", "tc", str(GOLD), str(out), "--json"])
    assert scored.exit_code == 0, scored.output


def test_predict_cli_empty_folder_is_an_error(tmp_path):
    result = CliRunner().invoke(app, ["predict", str(tmp_path), "-o", str(tmp_path / "x.labels")])
    assert result.exit_code == 1
    assert "No `article<ID>.txt` files" in result.output


@pytest.mark.parametrize(
    "command,label",
    [
        (["predict", str(ARTICLES)], "Finding spans"),
        (["classify", str(ARTICLES), "--spans", str(GOLD)], "Classifying spans"),
    ],
)
@pytest.mark.parametrize("progress", ["0", "1"])
def test_predict_cli_progress_bar_on_stderr_only_when_wanted(tmp_path, command, label, progress):
    out = tmp_path / "out.labels"
    result = CliRunner().invoke(
        app, [*command, "-o", str(out)], env={"PROPLENS_PROGRESS": progress}
    )
    assert result.exit_code == 0, result.output
    assert (label in result.stderr and "3/3" in result.stderr) is (progress == "1")
    assert label not in result.stdout
