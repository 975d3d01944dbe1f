"""`plot`: the figures of `proplens stats` as PNG or SVG (matplotlib, Agg backend, offline).

The chart follows the keys: one key gives outlets (or techniques, biases, …) ranked by rate with
their intervals; a date key gives a trend with an interval band (one line per value of a second
key); a key with `technique` gives a heat map.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proplens.errors import ProplensError

RATE = "spans_per_1000_words"
MOST_BARS = 40
MOST_LINES = 8
MOST_ROWS = 40
LEANS = {"left": "#3b6fb6", "center": "#7b8794", "right": "#c0392b"}  # as on the corpus page


def plot(stats: dict[str, Any], out: str | Path) -> Path:
    """Draw `stats` (from `corpus_stats`) to a .png or .svg file, by its extension.

    Returns:
        The path written.
    """
    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg"):
        raise ProplensError(f"Plots are written as .png or .svg files, not {out.name!r}.")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = stats["rows"]
    keys = stats.get("keys") or stats["by"].split(",")
    dates = [k for k in keys if k in ("month", "year")]
    if not rows:
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.text(0.5, 0.5, "No analysed articles", ha="center", va="center")
        ax.set_axis_off()
    elif len(keys) == 2 and "technique" in keys and not dates:
        fig = _heatmap(plt, rows, [k for k in keys if k != "technique"][0])
    elif dates:
        fig = _trend(plt, rows, dates[0], [k for k in keys if k != dates[0]])
    else:
        fig = _ranked(plt, rows, keys)
    heat = len(keys) == 2 and "technique" in keys and not dates
    fig.suptitle(_title(stats, intervals=bool(rows) and not heat), fontsize=10)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out


def _title(stats: dict[str, Any], intervals: bool = True) -> str:
    f = stats.get("filters") or {}
    bits = [f"spans per 1,000 words by {stats['by']}"]
    if f.get("technique"):
        bits.append(", ".join(f["technique"]))
    for key, values in (f.get("where") or {}).items():
        bits.append(f"{key}={'|'.join(values)}")
    if f.get("since") or f.get("until"):
        bits.append(f"{f.get('since') or '…'} to {f.get('until') or '…'}")
    level = round(100 * float(stats.get("confidence", 0.95)))
    shown = f"{level}% intervals; " if intervals else ""
    return f"{' · '.join(bits)} ({shown}model {stats['model']})"


def _label(row: dict[str, Any], keys: list[str]) -> str:
    return " · ".join(str(row[k]) for k in keys) + f" (n={row['articles']})"


def _colour(technique: str | None) -> str:
    from proplens.techniques import BY_NAME

    info = BY_NAME.get(technique or "")
    return info.colour if info else "#4c72b0"


def _ranked(plt: Any, rows: list[dict[str, Any]], keys: list[str]) -> Any:
    shown = sorted(rows, key=lambda r: -r[RATE])[:MOST_BARS][::-1]
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.32 * len(shown) + 1.6)))
    values = [r[RATE] for r in shown]
    lows = [
        r[RATE] - (r[f"{RATE}_low"] if r[f"{RATE}_low"] is not None else r[RATE]) for r in shown
    ]
    highs = [
        (r[f"{RATE}_high"] if r[f"{RATE}_high"] is not None else r[RATE]) - r[RATE] for r in shown
    ]
    colours = [
        _colour(r.get("technique"))
        if "technique" in keys
        else LEANS.get(str(r[keys[0]]).lower(), "#4c72b0")
        for r in shown
    ]
    ax.barh(range(len(shown)), values, xerr=[lows, highs], color=colours, ecolor="#333", capsize=2)
    ax.set_yticks(range(len(shown)), [_label(r, keys) for r in shown], fontsize=8)
    ax.set_xlabel("spans per 1,000 words")
    if len(rows) > len(shown):
        ax.set_ylabel(f"the {len(shown)} highest of {len(rows)}", fontsize=8)
    return fig


def _trend(plt: Any, rows: list[dict[str, Any]], date_key: str, other: list[str]) -> Any:
    fig, ax = plt.subplots(figsize=(10, 4.5))
    if other:
        key = other[0]
        sizes: dict[str, int] = {}
        for r in rows:
            sizes[r[key]] = sizes.get(r[key], 0) + r["articles"]
        series = sorted(sizes, key=lambda v: -sizes[v])[:MOST_LINES]
    else:
        key, series = None, [None]  # type: ignore[list-item]
    periods = sorted({r[date_key] for r in rows})
    at = {p: i for i, p in enumerate(periods)}
    for value in series:
        mine = [r for r in rows if key is None or r[key] == value]
        mine.sort(key=lambda r: r[date_key])
        xs = [at[r[date_key]] for r in mine]
        colour = _colour(value) if key == "technique" else LEANS.get(str(value).lower())
        (line,) = ax.plot(xs, [r[RATE] for r in mine], marker=".", label=value, color=colour)
        lo = [r[f"{RATE}_low"] if r[f"{RATE}_low"] is not None else r[RATE] for r in mine]
        hi = [r[f"{RATE}_high"] if r[f"{RATE}_high"] is not None else r[RATE] for r in mine]
        ax.fill_between(xs, lo, hi, alpha=0.15, color=line.get_color())
    step = max(1, len(periods) // 24)
    ax.set_xticks(range(0, len(periods), step), periods[::step], rotation=60, fontsize=7)
    ax.set_ylabel("spans per 1,000 words")
    if key is not None:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=key)
    return fig


def _heatmap(plt: Any, rows: list[dict[str, Any]], key: str) -> Any:
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r[key]] = max(sizes.get(r[key], 0), r["articles"])
    groups = sorted(sizes, key=lambda v: -sizes[v])[:MOST_ROWS]
    techniques = sorted({r["technique"] for r in rows})
    cell = {(r[key], r["technique"]): r[RATE] for r in rows}
    grid = [[cell.get((g, t), 0.0) for t in techniques] for g in groups]
    fig, ax = plt.subplots(figsize=(3 + 0.6 * len(techniques), max(4.5, 3 + 0.3 * len(groups))))
    image = ax.imshow(grid, aspect="auto", cmap="viridis")
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=6, color="w")
    ax.set_xticks(range(len(techniques)), techniques, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(groups)), [f"{g} (n={sizes[g]})" for g in groups], fontsize=7)
    fig.colorbar(image, ax=ax, label="spans per 1,000 words", shrink=0.8)
    return fig
