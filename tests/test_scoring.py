"""The SemEval-2020 Task 11 scorers on hand-built Docs with hand-computed values."""

from __future__ import annotations

import pytest

from proplens.corpus.semeval import LabelRow
from proplens.doc import Doc
from proplens.errors import ProplensError
from proplens.scoring import merge_intervals, score, score_flc, score_si, score_tc

A, B = "Loaded_Language", "Doubt"


def doc(doc_id, *spans):
    d = Doc("x" * 40, id=doc_id)
    for span in spans:
        d.add_span(*span)
    return d


@pytest.mark.parametrize(
    "intervals,merged",
    [
        ([(5, 9), (0, 3)], [(0, 3), (5, 9)]),
        ([(0, 5), (3, 8), (7, 12)], [(0, 12)]),
        ([(0, 5), (5, 8)], [(0, 5), (5, 8)]),  # touching spans share no character
        ([(2, 4), (2, 4), (0, 10)], [(0, 10)]),
    ],
)
def test_scoring_merge_intervals(intervals, merged):
    assert merge_intervals(intervals) == merged


@pytest.mark.parametrize(
    "gold,pred,p,r",
    [
        ([(0, 10)], [(0, 10)], 1.0, 1.0),
        ([(0, 10)], [(5, 15)], 0.5, 0.5),  # partial overlap
        ([(0, 4), (6, 10)], [(0, 10)], 0.8, 1.0),  # one prediction covers two gold spans
        ([(0, 4)], [(0, 4), (0, 4)], 1.0, 1.0),  # duplicate predictions merge
        ([(0, 6), (4, 10)], [(0, 5)], 1.0, 0.5),  # overlapping gold spans merge
        ([(0, 6)], [(0, 3), (2, 8)], 6 / 8, 1.0),  # overlapping predictions merge
        ([(0, 2), (2, 10)], [(0, 2)], 1.0, 0.5),  # touching gold spans stay apart
        ([(0, 10)], [(20, 30)], 0.0, 0.0),
        ([(0, 10, A)], [(0, 10, B)], 1.0, 1.0),  # technique ignored
    ],
)
def test_scoring_si_hand_computed(gold, pred, p, r):
    out = score_si([doc("1", *gold)], [doc("1", *pred)])
    f1 = 2 * p * r / (p + r) if p and r else 0.0
    assert (out["si_p"], out["si_r"], out["si_f1"]) == pytest.approx((p, r, f1))


def test_scoring_si_is_corpus_level():
    gold = [doc("1", (0, 10)), doc("2", (0, 10)), doc("3")]
    pred = [doc("1", (0, 10)), doc("3", (0, 4)), doc("4", (0, 4))]
    out = score_si(gold, pred)
    # 3 predictions (one in an article without gold, one in an article unknown to gold), 2 gold.
    assert out["si_n_pred"] == 3 and out["si_n_gold"] == 2
    assert (out["si_p"], out["si_r"]) == pytest.approx((1 / 3, 1 / 2))
    assert out["si_f1"] == pytest.approx(0.4)


@pytest.mark.parametrize(
    "gold,pred,f1",
    [([], [], 1.0), ([(0, 5)], [], 0.0), ([], [(0, 5)], 0.0)],
)
def test_scoring_empty_sides(gold, pred, f1):
    assert score_si([doc("1", *gold)], [doc("1", *pred)])["si_f1"] == f1


def test_scoring_flc_hand_computed():
    gold = [doc("1", (0, 10, A), (5, 15, B))]
    pred = [doc("1", (0, 5, A), (5, 15, B), (10, 20, B))]
    out = score_flc(gold, pred)
    # A: 5/5 and 5/10; B: predictions merge to [5, 20): 10/15 and 10/10.
    assert out["flc_n_pred"] == 2 and out["flc_n_gold"] == 2
    assert (out["flc_p"], out["flc_r"]) == pytest.approx(((1 + 2 / 3) / 2, (0.5 + 1) / 2))
    assert out["flc_f1"] == pytest.approx(2 * (5 / 6) * 0.75 / (5 / 6 + 0.75))
    per = out["flc_per_technique"]
    assert (per[A]["p"], per[A]["r"], per[A]["f1"]) == pytest.approx((1.0, 0.5, 2 / 3))
    assert (per[B]["p"], per[B]["r"], per[B]["f1"]) == pytest.approx((2 / 3, 1.0, 0.8))


@pytest.mark.parametrize(
    "gold,pred,p,r",
    [
        ([(0, 10, A)], [(0, 10, B)], 0.0, 0.0),  # wrong technique earns nothing
        ([(0, 10, A), (0, 10, B)], [(0, 10, A)], 1.0, 0.5),  # different techniques never merge
        ([(0, 10, A), (5, 15, A)], [(0, 15, A)], 1.0, 1.0),  # same technique merges
        ([(0, 10, A)], [(0, 10, None)], 0.0, 0.0),
    ],
)
def test_scoring_flc_technique_must_match(gold, pred, p, r):
    out = score_flc([doc("1", *gold)], [doc("1", *pred)])
    assert (out["flc_p"], out["flc_r"]) == pytest.approx((p, r))


@pytest.mark.parametrize(
    "gold,pred,p,r",
    [
        ([(0, 5, A), (0, 5, B)], [(0, 5, B), (0, 5, A)], 1.0, 1.0),  # multiset, order free
        ([(0, 5, A), (0, 5, B)], [(0, 5, A), (0, 5, A)], 0.5, 0.5),
        ([(0, 5, A), (0, 5, A)], [(0, 5, A)], 1.0, 0.5),
        ([(0, 5, "?"), (6, 9, A)], [(0, 5, B), (6, 9, A)], 1.0, 1.0),  # `?` rows not scored
        ([(0, 5, None), (6, 9, A)], [(6, 9, B)], 0.0, 0.0),
        ([(0, 5, A)], [(0, 6, A)], 0.0, 0.0),  # only identical spans count
    ],
)
def test_scoring_tc_hand_computed(gold, pred, p, r):
    out = score_tc([doc("1", *gold)], [doc("1", *pred)])
    assert (out["tc_p"], out["tc_r"]) == pytest.approx((p, r))


def test_scoring_tc_per_technique():
    gold = [doc("1", (0, 5, A), (6, 9, A), (10, 12, B))]
    pred = [doc("1", (0, 5, A), (6, 9, B), (10, 12, B))]
    out = score_tc(gold, pred)
    assert out["tc_n_correct"] == 2 and out["tc_f1"] == pytest.approx(2 / 3)
    per = out["tc_per_technique"]
    assert (per[A]["p"], per[A]["r"], per[A]["f1"]) == pytest.approx((1.0, 0.5, 2 / 3))
    assert (per[B]["p"], per[B]["r"], per[B]["n_pred"]) == pytest.approx((0.5, 1.0, 2))


@pytest.mark.parametrize("task", ["si", "flc", "tc"])
def test_scoring_score_cli_keys_and_label_rows(task):
    rows = [LabelRow("1", 0, 5, A), LabelRow("1", 8, 12, B)]
    out = score(task, rows, [doc("1", (0, 5, A), (8, 12, A))])
    assert out["task"] == task and out["f1"] == out[f"{task}_f1"]
    assert set(out["per_technique"]) == (set() if task == "si" else {A, B})
    assert out["f1"] == pytest.approx({"si": 1.0, "flc": 0.5, "tc": 0.5}[task])


def test_scoring_unknown_task():
    with pytest.raises(ProplensError, match="Unknown task 'ner'. Expected one of: si, flc, tc."):
        score("ner", [], [])
