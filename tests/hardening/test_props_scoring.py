"""Property tests (hypothesis) for SemEval label I/O and the SemEval-2020 Task 11 scorers."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proplens.corpus.semeval import LabelRow, read_labels, write_labels
from proplens.scoring import merge_intervals, score_flc, score_si, score_tc
from proplens.techniques import LABELS

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

IDS = st.sampled_from(["1", "2", "111111112", "730081389"])
TECHS = st.sampled_from(LABELS[:5])  # a few labels, so techniques collide often


@st.composite
def rows(draw, technique=TECHS, max_size=12, ids=IDS):
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        start = draw(st.integers(0, 60))
        end = draw(st.integers(start + 1, start + 25))
        out.append(LabelRow(draw(ids), start, end, draw(technique)))
    return out


def key(rows_):
    return [(r.article_id, r.start, r.end, r.technique) for r in rows_]


@FAST
@given(rows(technique=st.one_of(st.none(), TECHS)), st.sampled_from(["si", "flc", "tc"]))
def test_semeval_labels_roundtrip_byte_identical(tmp_path, rows_, task):
    if task == "flc":
        rows_ = [r for r in rows_ if r.technique is not None]
    if task == "si":
        rows_ = [LabelRow(r.article_id, r.start, r.end) for r in rows_]
    first = write_labels(tmp_path / f"a.{task}.labels", rows_, task)
    back = read_labels(first, task)
    assert key(back) == key(rows_)
    second = write_labels(tmp_path / f"b.{task}.labels", back, task)
    assert first.read_bytes() == second.read_bytes()


@FAST
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), max_size=20))
def test_scoring_merge_never_increases_count_and_keeps_characters(pairs):
    spans = [(s, s + n) for s, n in pairs]
    merged = merge_intervals(spans)
    assert len(merged) <= len(spans)
    assert all(a[1] <= b[0] for a, b in zip(merged, merged[1:], strict=False))  # sorted, disjoint
    covered = {c for s, e in spans for c in range(s, e)}
    assert {c for s, e in merged for c in range(s, e)} == covered
    assert merge_intervals(merged) == merged


@FAST
@given(rows())
def test_scoring_gold_against_itself_is_perfect(gold):
    for scorer, prefix in ((score_si, "si"), (score_flc, "flc"), (score_tc, "tc")):
        out = scorer(gold, gold)
        assert out[f"{prefix}_f1"] == 1.0
        if gold:
            assert out[f"{prefix}_p"] == out[f"{prefix}_r"] == 1.0


@FAST
@given(rows(), rows())
def test_scoring_si_flc_scores_lie_in_unit_interval(gold, pred):
    for scorer, prefix in ((score_si, "si"), (score_flc, "flc")):
        out = scorer(gold, pred)
        for k in ("p", "r", "f1"):
            assert -1e-12 <= out[f"{prefix}_{k}"] <= 1 + 1e-12


@FAST
@given(rows(), rows(), st.randoms(use_true_random=False))
def test_scoring_invariant_to_row_order(gold, pred, rnd):
    g2, p2 = list(gold), list(pred)
    rnd.shuffle(g2)
    rnd.shuffle(p2)
    for scorer in (score_si, score_flc, score_tc):
        assert_same_scores(scorer(gold, pred), scorer(g2, p2))


def assert_same_scores(a: dict, b: dict) -> None:
    """Equal up to float rounding (sums over rows in another order may differ in the last bit)."""
    assert a.keys() == b.keys()
    for key, value in a.items():
        if isinstance(value, dict):
            assert_same_scores(value, b[key])
        elif isinstance(value, float):
            assert abs(value - b[key]) < 1e-9, key
        else:
            assert value == b[key], key


@FAST
@given(rows(), rows(), st.data())
def test_scoring_si_flc_ignore_duplicated_prediction_rows(gold, pred, data):
    if not pred:
        return
    dup = pred + [data.draw(st.sampled_from(pred))]
    assert score_si(gold, dup) == score_si(gold, pred)
    assert score_flc(gold, dup) == score_flc(gold, pred)


@FAST
@given(rows(), rows())
def test_scoring_swapping_gold_and_pred_swaps_p_and_r(gold, pred):
    for scorer, prefix in ((score_si, "si"), (score_flc, "flc"), (score_tc, "tc")):
        a, b = scorer(gold, pred), scorer(pred, gold)
        assert abs(a[f"{prefix}_p"] - b[f"{prefix}_r"]) < 1e-12
        assert abs(a[f"{prefix}_f1"] - b[f"{prefix}_f1"]) < 1e-12


@FAST
@given(rows(), rows(), st.lists(st.tuples(st.integers(200, 300), st.integers(1, 30)), max_size=5))
def test_scoring_si_precision_ignores_gold_that_overlaps_no_prediction(gold, pred, extra):
    # Predictions end before offset 86, so gold spans from 200 on overlap none of them.
    more = gold + [LabelRow("1", s, s + n, LABELS[0]) for s, n in extra]
    assert abs(score_si(more, pred)["si_p"] - score_si(gold, pred)["si_p"]) < 1e-12
    assert abs(score_flc(more, pred)["flc_p"] - score_flc(gold, pred)["flc_p"]) < 1e-12


@FAST
@given(rows(technique=st.none()), rows(technique=st.none()))
def test_scoring_si_agrees_with_character_set_recount_on_disjoint_spans(gold, pred):
    """With spans pre-merged, P is the share of predicted characters that are gold, per span."""
    gm = {
        r.article_id: merge_intervals(
            [(x.start, x.end) for x in gold if x.article_id == r.article_id]
        )
        for r in gold
    }
    pm = {
        r.article_id: merge_intervals(
            [(x.start, x.end) for x in pred if x.article_id == r.article_id]
        )
        for r in pred
    }
    num = 0.0
    for aid, spans in pm.items():
        chars = {c for s, e in gm.get(aid, []) for c in range(s, e)}
        num += sum(len(chars & set(range(s, e))) / (e - s) for s, e in spans)
    n_pred = sum(len(v) for v in pm.values())
    expected = num / n_pred if n_pred else 0.0
    assert abs(score_si(gold, pred)["si_p"] - expected) < 1e-9
