"""`proplens score`: the CLI over the scorers, and the check against a brute-force scorer."""

from __future__ import annotations

import json
import random
from collections import defaultdict

import pytest
from click.testing import CliRunner

from proplens.cli import app
from proplens.techniques import LABELS
from tests.conftest import DATA

MINI = DATA / "semeval_mini"


def run(*args):
    return CliRunner().invoke(app, ["score", *map(str, args)])


@pytest.mark.parametrize(
    "task,gold,pred",
    [
        ("flc", "mini-task-flc-tc.labels", "mini-labels-task-flc-tc"),
        ("tc", "mini-labels-task-flc-tc", "mini-task-flc-tc.labels"),
        ("si", "mini-task-si.labels", "mini-labels-task-si"),
        ("si", "mini-task-si.labels", "mini-task-flc-tc.labels"),  # SI accepts 4-column files
    ],
)
def test_score_perfect_json(task, gold, pred):
    result = run("--task", task, MINI / gold, MINI / pred, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["p"], out["r"], out["f1"]) == (1.0, 1.0, 1.0)
    assert isinstance(out["per_technique"], dict) and out[f"{task}_f1"] == 1.0


def test_score_table_output(tmp_path):
    pred = tmp_path / "pred.labels"
    pred.write_text("101\tDoubt\t119\t165\n101\tLoaded_Language\t29\t41\n", newline="")
    result = run("-t", "flc", MINI / "mini-task-flc-tc.labels", pred, "-a", MINI / "mini-articles")
    assert result.exit_code == 0, result.output
    # Doubt exact (1, 1); Loaded_Language [29,41) vs gold [33,41): 8/12 and 8/8.
    p, r = (1 + 8 / 12) / 2, 2 / 10
    assert result.output.startswith(f"FLC  P={p:.4f}  R={r:.4f}  F1={2 * p * r / (p + r):.4f}")
    assert "Doubt" in result.output and "(pred 1, gold 1)" in result.output


@pytest.mark.parametrize(
    "row,extra,message",
    [
        ("101\tDoubt\t1", [], "line 1: expected 4 tab-separated columns"),
        (
            "101\tDoubt\t9\t3",
            [],
            "line 1: the start offset 9 must be smaller than the end offset 3",
        ),
        ("101\tDoubtful\t1\t3", [], "line 1: unknown technique 'Doubtful'"),
        (
            "101\tDoubt\t1\t900",
            ["--articles", MINI / "mini-articles"],
            "line 1: the span [1, 900) runs past the end",
        ),
        (
            "999\tDoubt\t1\t9",
            ["--articles", MINI / "mini-articles"],
            "line 1: article 999 is not among",
        ),
    ],
)
def test_score_bad_prediction_exits_1(tmp_path, row, extra, message):
    pred = tmp_path / "pred.labels"
    pred.write_text(row + "\n", newline="")
    result = run("--task", "flc", MINI / "mini-task-flc-tc.labels", pred, *extra)
    assert result.exit_code == 1
    assert "pred.labels, " + message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["-t", "tc", "missing.labels", MINI / "mini-task-si.labels"], 1, "does not exist"),
        (["-t", "tc", MINI / "mini-articles", MINI / "mini-task-si.labels"], 1, "No `.labels`"),
        (["-t", "ner", "a", "b"], 2, "Invalid value for '-t' / '--task'"),
        (["a", "b"], 2, "Missing option '-t' / '--task'"),
    ],
)
def test_score_user_and_usage_errors(args, code, message):
    result = run(*args)
    assert result.exit_code == code and message in result.output


# --- The done-when check: an independent brute-force scorer on perturbed PTC dev labels. ---
# It shares no code with proplens.scoring: spans are sets of character positions.


def brute_read(path):
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        tech = None if len(cols) == 3 else cols[1]
        rows.append((cols[0], tech, int(cols[-2]), int(cols[-1])))
    return rows


def brute_merge(char_sets):
    merged = []
    for chars in char_sets:
        chars = set(chars)
        rest = []
        for other in merged:
            if other & chars:
                chars |= other
            else:
                rest.append(other)
        merged = rest + [chars]
    return merged


def brute_overlap(gold_rows, pred_rows, by_technique):
    groups = defaultdict(lambda: ([], []))
    for side, rows in ((0, gold_rows), (1, pred_rows)):
        for aid, tech, start, end in rows:
            groups[(aid, tech if by_technique else "")][side].append(set(range(start, end)))
    num_p = num_r = 0.0
    n_gold = n_pred = 0
    for gold_sets, pred_sets in groups.values():
        gold_sets, pred_sets = brute_merge(gold_sets), brute_merge(pred_sets)
        n_gold += len(gold_sets)
        n_pred += len(pred_sets)
        for s in pred_sets:
            for t in gold_sets:
                num_p += len(s & t) / len(s)
                num_r += len(s & t) / len(t)
    return num_p / n_pred, num_r / n_gold


def brute_tc(gold_rows, pred_rows):
    remaining = defaultdict(list)
    for aid, tech, start, end in gold_rows:
        remaining[(aid, start, end)].append(tech)
    correct = 0
    for aid, tech, start, end in pred_rows:
        if tech in remaining[(aid, start, end)]:
            remaining[(aid, start, end)].remove(tech)
            correct += 1
    return correct / len(pred_rows), correct / len(gold_rows)


def perturb(rows, rng):
    out = []
    for i, (aid, tech, start, end) in enumerate(rows):
        kind = rng.choice(["keep", "shift", "split", "merge", "relabel", "drop", "extra"])
        if kind == "shift":
            d = rng.randint(-8, 8)
            out.append((aid, tech, max(0, start + d), max(start + d, 0) + (end - start)))
        elif kind == "split" and end - start >= 4:
            mid = (start + end) // 2
            out += [(aid, tech, start, mid - 1), (aid, tech, mid + 1, end)]
        elif kind == "merge" and i + 1 < len(rows) and rows[i + 1][0] == aid:
            out.append((aid, tech, min(start, rows[i + 1][2]), max(end, rows[i + 1][3])))
        elif kind == "relabel":
            out.append((aid, rng.choice(LABELS), start, end))
        elif kind == "extra":
            out += [(aid, tech, start, end), (aid, rng.choice(LABELS), end + 5, end + 30)]
        elif kind != "drop":
            out.append((aid, tech, start, end))
    return out


def write(path, rows, with_technique=True):
    lines = [
        "\t".join([aid, tech, str(s), str(e)] if with_technique else [aid, str(s), str(e)])
        for aid, tech, s, e in rows
    ]
    path.write_text("".join(line + "\n" for line in lines), newline="")
    return path


def cli_json(task, gold, pred):
    result = run("--task", task, gold, pred, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # a training-data warning goes to stderr


@pytest.mark.corpus
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_score_matches_brute_force_on_ptc_dev(ptc_dir, tmp_path, seed):
    rng = random.Random(seed)
    flc_gold = ptc_dir / "dev-task-flc-tc.labels"
    si_gold = ptc_dir / "dev-task-si.labels"
    gold_rows = brute_read(flc_gold)
    pred_rows = perturb(gold_rows, rng)

    flc_pred = write(tmp_path / "flc.labels", pred_rows)
    si_pred = write(tmp_path / "si.labels", pred_rows, with_technique=False)
    expected = {
        "flc": brute_overlap(gold_rows, pred_rows, by_technique=True),
        "si": brute_overlap(brute_read(si_gold), pred_rows, by_technique=False),
    }
    for task, gold, pred in (("flc", flc_gold, flc_pred), ("si", si_gold, si_pred)):
        out = cli_json(task, gold, pred)
        p, r = expected[task]
        assert round(out["p"], 4) == round(p, 4) and round(out["r"], 4) == round(r, 4)
        assert round(out["f1"], 4) == round(2 * p * r / (p + r), 4)
        assert 0.2 < out["f1"] < 0.95  # the perturbations really changed something

    # TC: predictions on exactly the gold spans, some relabelled, rows shuffled.
    tc_rows = [
        (a, rng.choice(LABELS) if rng.random() < 0.3 else t, s, e) for a, t, s, e in gold_rows
    ]
    rng.shuffle(tc_rows)
    out = cli_json("tc", flc_gold, write(tmp_path / "tc.labels", tc_rows))
    p, r = brute_tc(gold_rows, tc_rows)
    assert round(out["p"], 4) == round(p, 4) and round(out["r"], 4) == round(r, 4)
    assert 0.5 < out["f1"] < 0.95


def test_score_si_bad_columns_names_task_si(tmp_path):
    pred = write(tmp_path / "p.labels", [])
    pred.write_text("101\tDoubt\t1\t3\textra\n", newline="")
    result = run("--task", "si", MINI / "mini-task-si.labels", pred)
    assert result.exit_code == 1 and "for task SI but found 5" in result.output
    assert "task TC" not in result.output


def test_score_tc_refuses_rows_off_the_gold_spans(tmp_path):
    pred = tmp_path / "pred.labels"
    pred.write_text("101\tDoubt\t29\t47\n101\tDoubt\t30\t47\n", newline="")
    result = run("--task", "tc", MINI / "mini-task-flc-tc.labels", pred)
    assert result.exit_code == 1
    assert "1 of the 2 prediction rows are on spans that" in result.output
    assert "pred.labels, line 2" in result.output and "proplens classify" in result.output


@pytest.mark.parametrize("trained_on,warned", [(["101", "999"], True), (["5"], False)])
def test_score_warns_when_articles_are_in_training_data(tmp_path, trained_on, warned):
    model = tmp_path / "model"
    model.mkdir()
    (model / "meta.json").write_text(json.dumps({"name": "m", "trained_on": trained_on}))
    gold = MINI / "mini-task-flc-tc.labels"
    result = run("--task", "flc", gold, gold, "--model", model)
    assert result.exit_code == 0
    assert ("are in the training data of m" in result.output) is warned
