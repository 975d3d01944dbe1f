"""The sums of the aggregate queries as table rows: rates with intervals, shares, densities and
top techniques per group, sorted, with notes on what was left out."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from proplens.stats.filters import UNKNOWN
from proplens.stats.intervals import ratio_from_sums, wilson

TOP = 3
RATE = "spans_per_1000_words"
MEASURES = [
    "articles",
    "words",
    "spans",
    RATE,
    f"{RATE}_low",
    f"{RATE}_high",
    "spans_per_article",
    "spans_per_article_low",
    "spans_per_article_high",
    "articles_with",
    "share_with",
    "share_with_low",
    "share_with_high",
]


def _columns(keys: list[str]) -> list[str]:
    extra = ["share_of_spans"] if "technique" in keys else ["density", "top_techniques"]
    return [*keys, *MEASURES, *extra]


def _rows(
    keys: list[str],
    sums_a: list[Any],
    sums_b: list[Any],
    only: list[str],
    z: float,
    min_articles: int,
) -> tuple[list[dict[str, Any]], tuple[int, int]]:
    group_keys = [k for k in keys if k != "technique"]
    width = len(group_keys)
    groups = {tuple(r[:width]): r for r in sums_a}
    per_tech: dict[tuple, dict[str, Any]] = {}
    names = set(only)
    for r in sums_b:
        name = r.technique or UNKNOWN
        per_tech.setdefault(tuple(r[:width]), {})[name] = r
        names.add(name)
    visible = [g for g, r in groups.items() if r.n >= min_articles]
    hidden = [r for r in groups.values() if r.n < min_articles]
    hidden_counts = (len(hidden), sum(r.n for r in hidden))
    cells: list[tuple[tuple, str | None]]
    if "technique" in keys:
        cells = [(g, t) for g in visible for t in sorted(names)]
    else:
        cells = [(g, None) for g in visible]
    if not cells:
        return [], hidden_counts

    def col(values: list[float]) -> np.ndarray:
        return np.array(values, dtype=float)

    def part(g: tuple, t: str | None, name: str) -> float:
        if t is None:
            return float(groups[g]._mapping[name] or 0)
        found = per_tech.get(g, {}).get(t)
        return float(found._mapping[name] or 0) if found is not None else 0.0

    n = col([groups[g].n for g, _ in cells])
    sx = col([groups[g].sx or 0 for g, _ in cells])
    sxx = col([groups[g].sxx or 0 for g, _ in cells])
    sy, syy, sxy, k = (col([part(g, t, m) for g, t in cells]) for m in ("sy", "syy", "sxy", "k"))
    r, low, high = ratio_from_sums(n, sx, sy, sxx, sxy, syy, z)
    rows = []
    for i, (g, t) in enumerate(cells):
        values = dict(zip(group_keys, g, strict=True))
        if t is not None:
            values["technique"] = t
        row = {key: values[key] for key in keys}
        row.update(_measures(int(n[i]), sx[i], sy[i], r[i], low[i], high[i], int(k[i]), z))
        row.update(_per_article(int(n[i]), sy[i], syy[i], z))
        techniques = {name: int(found.sy or 0) for name, found in per_tech.get(g, {}).items()}
        if t is not None:
            total = sum(techniques.values())
            row["share_of_spans"] = round(sy[i] / total, 4) if total else 0.0
        else:
            counts = dict(sorted(techniques.items(), key=lambda kv: (-kv[1], kv[0])))
            chars, covered = float(groups[g].chars or 0), float(groups[g].covered or 0)
            row["density"] = round(covered / chars, 4) if chars else 0.0
            row["top_techniques"] = ", ".join(f"{t} ({c})" for t, c in list(counts.items())[:TOP])
            row["techniques"] = counts
        rows.append(row)
    return rows, hidden_counts


def _per_article(n: int, sy: float, syy: float, z: float) -> dict[str, Any]:
    """Normal interval of the mean marks per article, from the sums (None under 2 articles)."""
    if n < 2:
        return {"spans_per_article_low": None, "spans_per_article_high": None}
    mean = sy / n
    half = z * math.sqrt(max(syy - n * mean * mean, 0.0) / (n - 1) / n)
    return {
        "spans_per_article_low": round(max(0.0, mean - half), 4),
        "spans_per_article_high": round(mean + half, 4),
    }


def _measures(
    n: int, words: float, spans: float, r: float, low: float, high: float, k: int, z: float
) -> dict[str, Any]:
    share_low, share_high = wilson(k, n, z)
    return {
        "articles": n,
        "words": int(words),
        "spans": int(spans),
        RATE: round(1000 * r, 3),
        f"{RATE}_low": None if np.isnan(low) else round(1000 * low, 3),
        f"{RATE}_high": None if np.isnan(high) else round(1000 * high, 3),
        "spans_per_article": round(spans / n, 4) if n else 0.0,
        "articles_with": k,
        "share_with": round(k / n, 4) if n else 0.0,
        "share_with_low": round(share_low, 4),
        "share_with_high": round(share_high, 4),
    }


def _sorted(rows: list[dict[str, Any]], keys: list[str], sort: str) -> list[dict[str, Any]]:
    by_key = sorted(rows, key=lambda r: tuple((r[k] == UNKNOWN, str(r[k])) for k in keys))
    if sort == "rate":
        return sorted(by_key, key=lambda r: -r[RATE])
    if sort == "articles":
        return sorted(by_key, key=lambda r: -r["articles"])
    return by_key


def _notes(out: dict[str, Any]) -> list[str]:
    notes = []
    ex = out["excluded"]
    if "no_date" in ex and (ex["no_date"] or ex["unparsable_date"]):
        notes.append(
            f"Left out for their date: {ex['no_date']:,} articles without one and "
            f"{ex['unparsable_date']:,} whose date could not be parsed (kept as given in the "
            "store; see docs/corpus.md)."
        )
    if "below_min_articles" in ex:
        hid = ex["below_min_articles"]
        notes.append(
            f"Hidden: {hid['groups']:,} groups with fewer than "
            f"{out['filters']['min_articles']} articles ({hid['articles']:,} articles in all)."
        )
    return notes
