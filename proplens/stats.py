"""Corpus statistics from the store: technique rates per outlet, per technique, per month.

Plain data out (`{"by", "model", "columns", "rows"}`); the CLI prints it and `plot` draws it.

Example:
    >>> from proplens.storage import Store
    >>> corpus_stats(Store("sqlite://"), by="source")["rows"]
    []
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proplens.errors import ProplensError
from proplens.storage.store import DONE, Store

BY = ("source", "technique", "month")
UNKNOWN = "(unknown)"
TOP = 3
COLUMNS = {
    "source": [
        "source",
        "articles",
        "words",
        "spans",
        "spans_per_1000_words",
        "density",
        "top_techniques",
    ],
    "month": [
        "month",
        "source",
        "articles",
        "words",
        "spans",
        "spans_per_1000_words",
        "density",
        "top_techniques",
    ],
    "technique": [
        "technique",
        "spans",
        "articles",
        "share_of_spans",
        "spans_per_1000_words",
        "mean_score",
    ],
}


def corpus_stats(store: Store, by: str = "source", model: str | None = None) -> dict[str, Any]:
    """Technique statistics over the analysed articles of one model.

    Args:
        store: The store.
        by: "source" (one row per outlet), "month" (one row per month and outlet; articles
            without a known date are left out) or "technique" (one row per technique).
        model: Model name (or "name version"); default: the model of the newest article.

    Returns:
        `{"by", "model", "columns", "rows"}`. Rates: `spans_per_1000_words` is spans per 1,000
        words; `density` is the share of characters inside a span; `techniques` (per row, not a
        column) maps each technique to its span count.
    """
    if by not in BY:
        raise ProplensError(
            f"Unknown grouping {by!r} for statistics. Expected one of: {', '.join(BY)}."
        )
    a, s = store.articles, store.spans
    chosen = _choose_model(store, model)
    if chosen is None:
        return {"by": by, "model": None, "columns": COLUMNS[by], "rows": []}
    where = [a.c.status == DONE, a.c.model_name == chosen[0], a.c.model_version == chosen[1]]
    with store.engine.connect() as conn:
        if by == "technique":
            rows = _by_technique(conn, a, s, where)
        else:
            keys = [sa.func.coalesce(a.c.source, UNKNOWN).label("source")]
            if by == "month":
                keys.insert(0, a.c.month.label("month"))
                where.append(a.c.month.is_not(None))
            rows = _by_group(conn, a, s, where, keys)
    return {"by": by, "model": f"{chosen[0]} {chosen[1]}", "columns": COLUMNS[by], "rows": rows}


def _choose_model(store: Store, model: str | None) -> tuple[str, str] | None:
    a = store.articles
    query = sa.select(a.c.model_name, a.c.model_version).where(a.c.status == DONE)
    if model:
        name, _, version = model.partition(" ")
        query = query.where(a.c.model_name == name)
        if version:
            query = query.where(a.c.model_version == version)
    with store.engine.connect() as conn:
        row = conn.execute(query.order_by(a.c.id.desc()).limit(1)).first()
    if row is None and model:
        raise ProplensError(f"No analysed articles from model {model!r} in {store!r}.")
    return (row.model_name, row.model_version) if row else None


def _by_group(conn, a, s, where, keys) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    names = [k.name for k in keys]
    totals = (
        sa.select(
            *keys,
            sa.func.count().label("articles"),
            sa.func.sum(a.c.n_words).label("words"),
            sa.func.sum(a.c.n_chars).label("chars"),
            sa.func.sum(a.c.covered_chars).label("covered"),
            sa.func.sum(a.c.n_spans).label("spans"),
        )
        .where(*where)
        .group_by(*keys)
        .order_by(*keys)
    )
    per_technique = (
        sa.select(*keys, s.c.technique, sa.func.count().label("n"))
        .select_from(a.join(s, s.c.article_id == a.c.id))
        .where(*where)
        .group_by(*keys, s.c.technique)
    )
    techniques: dict[tuple, dict[str, int]] = {}
    for r in conn.execute(per_technique):
        techniques.setdefault(tuple(r[:-2]), {})[r.technique or UNKNOWN] = r.n
    rows = []
    for r in conn.execute(totals):
        key = tuple(r[: len(names)])
        counts = dict(sorted(techniques.get(key, {}).items(), key=lambda kv: (-kv[1], kv[0])))
        words, spans = int(r.words or 0), int(r.spans or 0)
        rows.append(
            {
                **dict(zip(names, key, strict=True)),
                "articles": r.articles,
                "words": words,
                "spans": spans,
                "spans_per_1000_words": _rate(spans, words),
                "density": round(int(r.covered or 0) / r.chars, 4) if r.chars else 0.0,
                "top_techniques": ", ".join(f"{t} ({n})" for t, n in list(counts.items())[:TOP]),
                "techniques": counts,
            }
        )
    return rows


def _by_technique(conn, a, s, where) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    words = conn.scalar(sa.select(sa.func.sum(a.c.n_words)).where(*where)) or 0
    query = (
        sa.select(
            s.c.technique,
            sa.func.count().label("spans"),
            sa.func.count(sa.distinct(s.c.article_id)).label("articles"),
            sa.func.avg(s.c.score).label("mean_score"),
        )
        .select_from(a.join(s, s.c.article_id == a.c.id))
        .where(*where)
        .group_by(s.c.technique)
    )
    found = conn.execute(query).all()
    total = sum(r.spans for r in found)
    rows = [
        {
            "technique": r.technique or UNKNOWN,
            "spans": r.spans,
            "articles": r.articles,
            "share_of_spans": round(r.spans / total, 4) if total else 0.0,
            "spans_per_1000_words": _rate(r.spans, int(words)),
            "mean_score": round(float(r.mean_score), 4),
        }
        for r in found
    ]
    return sorted(rows, key=lambda r: (-r["spans"], r["technique"]))


def _rate(spans: int, words: int) -> float:
    return round(1000 * spans / words, 2) if words else 0.0


def plot(stats: dict[str, Any], out: str | Path) -> Path:
    """Draw `stats` to a PNG or SVG file (by the file's extension) with matplotlib's Agg backend.

    source: spans per 1,000 words per outlet, stacked by technique; month: one line per outlet;
    technique: spans per 1,000 words per technique.
    """
    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg"):
        raise ProplensError(f"Plots are written as .png or .svg files, not {out.name!r}.")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, by = stats["rows"], stats["by"]
    fig, ax = plt.subplots(
        figsize=(9, max(3.0, 0.45 * len(rows) + 1.5)) if by != "month" else (9, 4.5)
    )
    if not rows:
        ax.text(0.5, 0.5, "No analysed articles", ha="center", va="center")
    elif by == "technique":
        ax.barh(
            [r["technique"] for r in rows][::-1],
            [r["spans_per_1000_words"] for r in rows][::-1],
            color="#4c72b0",
        )
        ax.set_xlabel("spans per 1,000 words")
    elif by == "source":
        _stacked(ax, rows)
    else:
        for source in sorted({r["source"] for r in rows}):
            mine = [r for r in rows if r["source"] == source]
            ax.plot(
                [r["month"] for r in mine],
                [r["spans_per_1000_words"] for r in mine],
                marker="o",
                label=source,
            )
        ax.set_ylabel("spans per 1,000 words")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.tick_params(axis="x", rotation=45)
    ax.set_title(f"Propaganda techniques by {by} ({stats['model']})")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out


def _stacked(ax, rows: list[dict[str, Any]]) -> None:  # type: ignore[no-untyped-def]
    from proplens.techniques import BY_NAME

    totals: dict[str, int] = {}
    for r in rows:
        for t, n in r["techniques"].items():
            totals[t] = totals.get(t, 0) + n
    shown = sorted(totals, key=lambda t: -totals[t])[:8]
    labels = [r["source"] for r in rows]
    left = [0.0] * len(rows)
    for t in [*shown, "other"]:
        vals = []
        for r in rows:
            n = (
                r["techniques"].get(t, 0)
                if t != "other"
                else sum(v for k, v in r["techniques"].items() if k not in shown)
            )
            vals.append(1000 * n / r["words"] if r["words"] else 0.0)
        if any(vals):
            info = BY_NAME.get(t)
            ax.barh(labels, vals, left=left, label=t, color=info.colour if info else "#9ca3af")
            left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.set_xlabel("spans per 1,000 words")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
