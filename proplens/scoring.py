"""Scorers equal to the official SemEval-2020 Task 11 ones, returning flat dicts.

SI and FLC give partial credit for character overlap. Within an article, spans that share at
least one character are merged first (all spans for SI, same-technique spans for FLC; spans
that only touch are not merged), in the gold and in the predictions. Then, over the corpus,

    P = sum over predicted s, gold t of |s & t| / |s|, divided by the number of predicted spans
    R = sum over predicted s, gold t of |s & t| / |t|, divided by the number of gold spans

with FLC counting a pair only when the techniques match. TC compares techniques on identical
spans, matching several techniques of one span as multisets; gold rows with technique `?`
(or None) are not scored. F1 is 2PR/(P+R), 0 when P or R is 0, and 1.0 when there are neither
predicted nor gold spans (as the official scorer does).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from proplens.doc import Doc
from proplens.errors import ProplensError

if TYPE_CHECKING:
    from proplens.corpus.semeval import LabelRow

TASKS = ("si", "flc", "tc")
Interval = tuple[int, int]
# Scorers take Docs, or `LabelRow`s straight from label files (no article text needed).
Labelled = Sequence[Doc] | Sequence["LabelRow"]


def prf(num_p: float, n_pred: int, num_r: float, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from numerators and counts, as the official scorer does."""
    p = num_p / n_pred if n_pred else 0.0
    r = num_r / n_gold if n_gold else 0.0
    if n_pred == 0 and n_gold == 0:
        return p, r, 1.0
    f1 = 2 * p * r / (p + r) if p > 0 and r > 0 else 0.0
    return p, r, f1


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals: those sharing at least one character become one."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def overlap_sums(pred: list[Interval], gold: list[Interval]) -> tuple[float, float]:
    """Sum of |s&t|/|s| and of |s&t|/|t| over all pairs of two sorted, disjoint lists."""
    sum_p = sum_r = 0.0
    j0 = 0
    for s0, s1 in pred:
        while j0 < len(gold) and gold[j0][1] <= s0:
            j0 += 1
        j = j0
        while j < len(gold) and gold[j][0] < s1:
            inter = min(s1, gold[j][1]) - max(s0, gold[j][0])
            if inter > 0:
                sum_p += inter / (s1 - s0)
                sum_r += inter / (gold[j][1] - gold[j][0])
            j += 1
    return sum_p, sum_r


def _spans_by_id(items: Iterable) -> dict[str, list]:
    """Spans grouped by article id, from Docs or from `LabelRow`s (anything with
    `article_id`, `start`, `end`, `technique`), so label files score without their articles."""
    out: dict[str, list] = defaultdict(list)
    for i, item in enumerate(items):
        if isinstance(item, Doc):
            out[item.id if item.id is not None else f"#{i}"].extend(item.spans)
        else:
            out[item.article_id].append(item)
    return out


def _pairs(gold: Iterable, pred: Iterable):
    """(gold spans, predicted spans) per article id; an article missing on one side has none."""
    g, p = _spans_by_id(gold), _spans_by_id(pred)
    for key in g.keys() | p.keys():
        yield g.get(key, []), p.get(key, [])


def score_si(gold: Labelled, pred: Labelled) -> dict:
    """Span identification: techniques ignored, overlapping spans merged on both sides.

    Returns:
        `si_p`, `si_r`, `si_f1`, `si_n_pred` and `si_n_gold` (span counts after merging).
    """
    sum_p = sum_r = 0.0
    n_pred = n_gold = 0
    for gold_spans, pred_spans in _pairs(gold, pred):
        g = merge_intervals((s.start, s.end) for s in gold_spans)
        p = merge_intervals((s.start, s.end) for s in pred_spans)
        n_gold += len(g)
        n_pred += len(p)
        dp, dr = overlap_sums(p, g)
        sum_p += dp
        sum_r += dr
    prec, rec, f1 = prf(sum_p, n_pred, sum_r, n_gold)
    return {"si_p": prec, "si_r": rec, "si_f1": f1, "si_n_pred": n_pred, "si_n_gold": n_gold}


def _per_technique(tp_p: dict, n_pred: Counter, tp_r: dict, n_gold: Counter) -> dict:
    out = {}
    for tech in sorted((set(n_pred) | set(n_gold)) - {None}):
        p, r, f1 = prf(tp_p.get(tech, 0.0), n_pred[tech], tp_r.get(tech, 0.0), n_gold[tech])
        out[tech] = {"p": p, "r": r, "f1": f1, "n_pred": n_pred[tech], "n_gold": n_gold[tech]}
    return out


def score_flc(gold: Labelled, pred: Labelled) -> dict:
    """End-to-end fragment classification: the SI formula per technique, summed.

    Returns:
        `flc_p`, `flc_r`, `flc_f1`, `flc_n_pred`, `flc_n_gold` and `flc_per_technique`
        (technique -> {p, r, f1, n_pred, n_gold}).
    """
    sum_p: dict[str | None, float] = defaultdict(float)
    sum_r: dict[str | None, float] = defaultdict(float)
    n_pred: Counter = Counter()
    n_gold: Counter = Counter()
    for gold_spans, pred_spans in _pairs(gold, pred):
        g_by: dict[str | None, list[Interval]] = defaultdict(list)
        p_by: dict[str | None, list[Interval]] = defaultdict(list)
        for s in gold_spans:
            g_by[s.technique].append((s.start, s.end))
        for s in pred_spans:
            p_by[s.technique].append((s.start, s.end))
        for tech in g_by.keys() | p_by.keys():
            g = merge_intervals(g_by.get(tech, ()))
            p = merge_intervals(p_by.get(tech, ()))
            n_gold[tech] += len(g)
            n_pred[tech] += len(p)
            if tech is not None:
                dp, dr = overlap_sums(p, g)
                sum_p[tech] += dp
                sum_r[tech] += dr
    tot_pred, tot_gold = sum(n_pred.values()), sum(n_gold.values())
    prec, rec, f1 = prf(sum(sum_p.values()), tot_pred, sum(sum_r.values()), tot_gold)
    return {
        "flc_p": prec,
        "flc_r": rec,
        "flc_f1": f1,
        "flc_n_pred": tot_pred,
        "flc_n_gold": tot_gold,
        "flc_per_technique": _per_technique(sum_p, n_pred, sum_r, n_gold),
    }


def _unknown(technique: str | None) -> bool:
    return technique is None or technique == "?"


def score_tc(gold: Labelled, pred: Labelled) -> dict:
    """Technique classification on given spans: micro P/R/F1 over (span, technique) matches.

    Several techniques on one identical span are matched as multisets, in any order. Gold rows
    with technique `?`/None are not scored, nor are predictions on spans that only have such rows.

    Returns:
        `tc_p`, `tc_r`, `tc_f1`, `tc_n_pred`, `tc_n_gold`, `tc_n_correct`, `tc_per_technique`.
    """
    tp: Counter = Counter()
    n_pred: Counter = Counter()
    n_gold: Counter = Counter()
    for gold_spans, pred_spans in _pairs(gold, pred):
        g_at: dict[Interval, Counter] = defaultdict(Counter)
        unknown_at: set[Interval] = set()
        for s in gold_spans:
            if _unknown(s.technique):
                unknown_at.add((s.start, s.end))
            else:
                g_at[(s.start, s.end)][s.technique] += 1
        p_at: dict[Interval, Counter] = defaultdict(Counter)
        for s in pred_spans:
            key = (s.start, s.end)
            if not (key in unknown_at and key not in g_at):
                p_at[key][s.technique] += 1
        for key, techs in g_at.items():
            n_gold.update(techs)
            tp.update(techs & p_at.get(key, Counter()))
        for techs in p_at.values():
            n_pred.update(techs)
    correct, tot_pred, tot_gold = sum(tp.values()), sum(n_pred.values()), sum(n_gold.values())
    prec, rec, f1 = prf(correct, tot_pred, correct, tot_gold)
    return {
        "tc_p": prec,
        "tc_r": rec,
        "tc_f1": f1,
        "tc_n_pred": tot_pred,
        "tc_n_gold": tot_gold,
        "tc_n_correct": correct,
        "tc_per_technique": _per_technique(tp, n_pred, tp, n_gold),
    }


def tc_unmatched(gold: Labelled, pred: Labelled) -> list:
    """Prediction rows of a TC run whose span is not a span of the gold template.

    TC scores predictions on the gold spans only, so such rows can only count as wrong: a
    prediction file from span detection (`predict`) scored as TC gives a meaninglessly low score.
    """
    out = []
    for gold_spans, pred_spans in _pairs(gold, pred):
        keys = {(s.start, s.end) for s in gold_spans}
        out += [s for s in pred_spans if (s.start, s.end) not in keys]
    return out


SCORERS = {"si": score_si, "flc": score_flc, "tc": score_tc}


def score(task: str, gold: Labelled, pred: Labelled) -> dict:
    """Score `pred` against `gold` for task "si", "flc" or "tc".

    Returns:
        The task's prefixed keys plus `task`, `p`, `r`, `f1` and `per_technique`
        (empty for SI, which ignores techniques).

    Example:
        >>> score("si", [Doc("ab cd", id="1", spans=[])], [])["f1"]
        1.0
    """
    if task not in SCORERS:
        raise ProplensError(f"Unknown task {task!r}. Expected one of: {', '.join(TASKS)}.")
    out = SCORERS[task](gold, pred)
    out.update(
        task=task,
        p=out[f"{task}_p"],
        r=out[f"{task}_r"],
        f1=out[f"{task}_f1"],
        per_technique=out.get(f"{task}_per_technique", {}),
    )
    return out
