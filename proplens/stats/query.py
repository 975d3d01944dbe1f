"""`corpus_stats`: technique rates by any key, with intervals, over the store's articles.

One SQL query reads one row per article (its group keys, words and span count), one more the
span counts per article and technique; the rest is numpy. Both use indexes (`articles.source`,
`articles.month`, `article_meta(key, value)`, `spans(technique, article_id)`), so a query over
the 37k AllSides articles and a million spans answers in under 2 s (docs/corpus.md).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import sqlalchemy as sa

from proplens.errors import ProplensError
from proplens.stats.intervals import ratio_from_sums, wilson, z_value
from proplens.storage.queries import ARTICLE_META
from proplens.storage.store import DONE, Store

UNKNOWN = "(unknown)"
TOP = 3
BUILTIN = ("source", "technique", "month", "year", "author")
DATE_KEYS = ("month", "year")
_KEY = re.compile(r"^[A-Za-z_][\w.-]{0,99}$")
_DAY = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
RATE = "spans_per_1000_words"
MEASURES = [
    "articles",
    "words",
    "spans",
    RATE,
    f"{RATE}_low",
    f"{RATE}_high",
    "spans_per_article",
    "articles_with",
    "share_with",
    "share_with_low",
    "share_with_high",
]


def parse_by(by: str | list[str] | tuple[str, ...]) -> list[str]:
    """`"bias,month"` as `["bias", "month"]`, each a valid key name."""
    keys = [k.strip() for k in (by.split(",") if isinstance(by, str) else by) if k.strip()]
    if not keys:
        raise ProplensError("`--by` needs a key, e.g. source, technique, month or bias.")
    if len(keys) > 2:
        raise ProplensError(f"`--by` takes one or two keys (e.g. source,technique), not {by!r}.")
    for key in keys:
        if not _KEY.match(key):
            raise ProplensError(
                f"{key!r} is not a key name: use source, technique, month, year, author or a "
                "metadata field of the articles (letters, digits, _ . -)."
            )
    if len(set(keys)) != len(keys):
        raise ProplensError(f"`--by` names the same key twice: {by!r}.")
    return keys


def parse_where(where: list[str] | tuple[str, ...] | None) -> dict[str, list[str]]:
    """`["bias=left", "bias=center", "topic=elections"]` as `{key: [values]}` (OR within a key)."""
    out: dict[str, list[str]] = {}
    for clause in where or ():
        key, sep, value = clause.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
            raise ProplensError(
                f"`--where` takes KEY=VALUE (e.g. bias=left or source=Reuters), not {clause!r}."
            )
        out.setdefault(key, []).append(value.strip())
    return out


def _date_bound(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not _DAY.match(value):
        raise ProplensError(
            f"`{option}` takes a date as YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2016-01), not {value!r}."
        )
    return value


def corpus_stats(
    store: Store,
    by: str | list[str] = "source",
    model: str | None = None,
    *,
    where: list[str] | tuple[str, ...] | None = None,
    since: str | None = None,
    until: str | None = None,
    technique: list[str] | tuple[str, ...] | str | None = None,
    min_articles: int = 1,
    sort: str = "key",
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Technique rates over the analysed articles of one model, grouped by one or two keys.

    Args:
        store: The store.
        by: Keys, as a list or comma-separated: "source", "technique", "month" (`YYYY-MM` of the
            parsed date), "year", "author", or any metadata field of the articles ("bias").
        model: Model name (or "name version"); default: the model of the newest article.
        where: `KEY=VALUE` filters; several values of one key are alternatives.
        since: Only articles published on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).
        until: Only articles published up to the end of this year, month or day.
        technique: Count only these techniques' spans.
        min_articles: Leave out groups with fewer articles (they are counted in `excluded`).
        sort: "key" (by the keys), "rate" (highest spans per 1,000 words first) or "articles".
        confidence: Level of the intervals.

    Returns:
        `{"by", "model", "columns", "rows", "excluded", "filters", "confidence", "articles",
        "notes"}`. Each row has its keys, `articles` (n), `words`, `spans`, the rate
        `spans_per_1000_words` with `_low`/`_high` (linearised ratio interval, articles as the
        unit), `spans_per_article`, `articles_with` (articles with at least one span),
        `share_with` with its Wilson `_low`/`_high`, and, without a technique key, `density`,
        `top_techniques` and `techniques` (span count per technique).
    """
    keys = parse_by(by)
    filters = parse_where(where)
    since, until = _date_bound(since, "--since"), _date_bound(until, "--until")
    techniques_only = [technique] if isinstance(technique, str) else list(technique or [])
    techniques_only += filters.pop("technique", [])
    if sort not in ("key", "rate", "articles"):
        raise ProplensError(f"`sort` must be key, rate or articles, not {sort!r}.")
    if min_articles < 1:
        raise ProplensError(f"`--min-articles` must be at least 1, not {min_articles}.")
    z = z_value(confidence)
    columns = _columns(keys)
    out: dict[str, Any] = {
        "by": ",".join(keys),
        "keys": keys,
        "model": None,
        "columns": columns,
        "rows": [],
        "confidence": confidence,
        "filters": {
            "where": filters,
            "since": since,
            "until": until,
            "technique": techniques_only,
            "min_articles": min_articles,
        },
        "articles": 0,
        "excluded": {},
        "notes": [],
    }
    chosen = _choose_model(store, model)
    if chosen is None:
        return out
    out["model"] = f"{chosen[0]} {chosen[1]}"
    a, s = store.articles, store.spans
    base = [a.c.status == DONE, a.c.model_name == chosen[0], a.c.model_version == chosen[1]]
    with store._connect() as conn:
        _check_keys(conn, [k for k in [*keys, *filters] if k not in BUILTIN])
        base += _filters(a, filters)
        dated = list(base)
        if since is not None:
            dated.append(a.c.published >= since)
        if until is not None:
            dated.append(a.c.published <= (until if len(until) == 10 else until + "-99"))
        if since or until or any(k in DATE_KEYS for k in keys):
            out["excluded"].update(_undated(conn, a, base))
            dated.append(a.c.published.is_not(None))
        group_keys = [k for k in keys if k != "technique"]
        arts = _article_rows(conn, a, dated, group_keys)
        counts, names = _span_counts(conn, a, s, dated, techniques_only)
    out["articles"] = len(arts["id"])
    rows, hidden = _rows(keys, arts, counts, names, techniques_only, z, min_articles)
    if hidden[0]:
        out["excluded"]["below_min_articles"] = {"groups": hidden[0], "articles": hidden[1]}
    out["rows"] = _sorted(rows, keys, sort)
    out["notes"] = _notes(out)
    return out


def _columns(keys: list[str]) -> list[str]:
    extra = ["share_of_spans"] if "technique" in keys else ["density", "top_techniques"]
    return [*keys, *MEASURES, *extra]


def _choose_model(store: Store, model: str | None) -> tuple[str, str] | None:
    a = store.articles
    query = sa.select(a.c.model_name, a.c.model_version).where(a.c.status == DONE)
    if model:
        name, _, version = model.partition(" ")
        query = query.where(a.c.model_name == name)
        if version:
            query = query.where(a.c.model_version == version)
    with store._connect() as conn:
        row = conn.execute(query.order_by(a.c.id.desc()).limit(1)).first()
    if row is None and model:
        raise ProplensError(f"No analysed articles from model {model!r} in {store!r}.")
    return (row.model_name, row.model_version) if row else None


def _check_keys(conn: sa.Connection, keys: list[str]) -> None:
    if not keys:
        return
    m = ARTICLE_META
    found = set(conn.scalars(sa.select(m.c.key).where(m.c.key.in_(keys)).distinct()))
    missing = [k for k in keys if k not in found]
    if missing:
        known = sorted(conn.scalars(sa.select(m.c.key).distinct().limit(50)))
        raise ProplensError(
            f"No article has the key {missing[0]!r}. Use source, technique, month, year, author"
            + (f" or a metadata field of the articles: {', '.join(known)}." if known else ".")
        )


def _key_expr(a: sa.Table, key: str) -> Any:
    if key == "year":
        return sa.func.substr(a.c.published, 1, 4)
    return a.c[key]


def _filters(a: sa.Table, filters: dict[str, list[str]]) -> list[Any]:
    out = []
    for key, values in filters.items():
        if key in BUILTIN:
            out.append(_key_expr(a, key).in_(values))
        else:
            m = ARTICLE_META.alias()
            has = sa.select(m.c.article_id).where(
                m.c.article_id == a.c.id, m.c.key == key, m.c.value.in_(values)
            )
            out.append(sa.exists(has))
    return out


def _undated(conn: sa.Connection, a: sa.Table, where: list[Any]) -> dict[str, int]:
    blank = sa.or_(a.c.date.is_(None), sa.func.trim(a.c.date) == "")
    query = sa.select(
        sa.func.sum(sa.case((blank, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(sa.not_(blank), a.c.published.is_(None)), 1), else_=0)),
    ).where(*where)
    no_date, bad = conn.execute(query).one()
    return {"no_date": int(no_date or 0), "unparsable_date": int(bad or 0)}


def _article_rows(
    conn: sa.Connection, a: sa.Table, where: list[Any], keys: list[str]
) -> dict[str, Any]:
    cols: list[Any] = [a.c.id, a.c.n_words, a.c.n_chars, a.c.covered_chars]
    joined: Any = a
    for key in keys:
        if key in BUILTIN:
            cols.append(_key_expr(a, key))
        else:
            m = ARTICLE_META.alias()
            joined = joined.outerjoin(m, sa.and_(m.c.article_id == a.c.id, m.c.key == key))
            cols.append(m.c.value)
    rows = conn.execute(sa.select(*cols).select_from(joined).where(*where).order_by(a.c.id)).all()
    return {
        "id": np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
        "words": np.fromiter((r[1] or 0 for r in rows), dtype=float, count=len(rows)),
        "chars": np.fromiter((r[2] or 0 for r in rows), dtype=float, count=len(rows)),
        "covered": np.fromiter((r[3] or 0 for r in rows), dtype=float, count=len(rows)),
        "keys": [tuple(UNKNOWN if v is None or v == "" else str(v) for v in r[4:]) for r in rows],
    }


def _span_counts(
    conn: sa.Connection, a: sa.Table, s: sa.Table, where: list[Any], only: list[str]
) -> tuple[dict[int, dict[str, int]], list[str]]:
    query = (
        sa.select(s.c.article_id, s.c.technique, sa.func.count())
        .select_from(s.join(a, s.c.article_id == a.c.id))
        .where(*where)
        .group_by(s.c.article_id, s.c.technique)
    )
    if only:
        query = query.where(s.c.technique.in_(only))
    counts: dict[int, dict[str, int]] = {}
    names: set[str] = set()
    for article_id, technique, n in conn.execute(query):
        name = technique or UNKNOWN
        counts.setdefault(article_id, {})[name] = n
        names.add(name)
    return counts, sorted(names | set(only))


def _rows(
    keys: list[str],
    arts: dict[str, Any],
    counts: dict[int, dict[str, int]],
    names: list[str],
    only: list[str],
    z: float,
    min_articles: int,
) -> tuple[list[dict[str, Any]], tuple[int, int]]:
    n_arts = len(arts["id"])
    col = {t: i for i, t in enumerate(names)}
    matrix = np.zeros((n_arts, max(1, len(names))))
    index = {int(i): row for row, i in enumerate(arts["id"])}
    for article_id, per in counts.items():
        row = index.get(article_id)
        if row is not None:
            for t, n in per.items():
                matrix[row, col[t]] = n
    groups: dict[tuple, int] = {}
    g = np.fromiter((groups.setdefault(k, len(groups)) for k in arts["keys"]), int, n_arts)
    n_groups = len(groups)
    n = np.bincount(g, minlength=n_groups).astype(float)
    x = arts["words"]
    sx, sxx = _sum(g, x, n_groups), _sum(g, x * x, n_groups)
    hidden = n < min_articles
    group_keys = [k for k in keys if k != "technique"]
    label = {i: k for k, i in groups.items()}
    if "technique" in keys:
        series = [(t, matrix[:, col[t]]) for t in names]
        totals = _sum(g, matrix.sum(axis=1), n_groups)
    else:
        series = [(None, matrix.sum(axis=1))]
    rows = []
    for technique, y in series:
        sy, syy, sxy = _sum(g, y, n_groups), _sum(g, y * y, n_groups), _sum(g, x * y, n_groups)
        k = _sum(g, (y > 0).astype(float), n_groups)
        r, low, high = ratio_from_sums(n, sx, sy, sxx, sxy, syy, z)
        for i in range(n_groups):
            if hidden[i]:
                continue
            values = dict(zip(group_keys, label[i], strict=True))
            if technique is not None:
                values["technique"] = technique
            row = {key: values[key] for key in keys}
            row.update(_measures(int(n[i]), sx[i], sy[i], r[i], low[i], high[i], int(k[i]), z))
            if technique is not None:
                row["share_of_spans"] = round(sy[i] / totals[i], 4) if totals[i] else 0.0
            rows.append(row)
    if "technique" not in keys:
        _add_techniques(rows, g, matrix, names, arts, hidden, n_groups)
    return rows, (int(hidden.sum()), int(n[hidden].sum()))


def _sum(g: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(g, weights=values, minlength=size)


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


def _add_techniques(
    rows: list[dict[str, Any]],
    g: np.ndarray,
    matrix: np.ndarray,
    names: list[str],
    arts: dict[str, Any],
    hidden: np.ndarray,
    n_groups: int,
) -> None:
    per = np.zeros((n_groups, max(1, len(names))))
    np.add.at(per, g, matrix)
    chars, covered = _sum(g, arts["chars"], n_groups), _sum(g, arts["covered"], n_groups)
    visible = [i for i in range(n_groups) if not hidden[i]]
    for row, i in zip(rows, visible, strict=True):
        counts = {t: int(per[i, j]) for j, t in enumerate(names) if per[i, j]}
        counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        row["density"] = round(covered[i] / chars[i], 4) if chars[i] else 0.0
        row["top_techniques"] = ", ".join(f"{t} ({c})" for t, c in list(counts.items())[:TOP])
        row["techniques"] = counts


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
