"""`corpus_stats`: technique rates by any key, with intervals, over the store's articles.

Two aggregate SQL queries do the work: per group, the number of articles and the sums of words,
spans, their squares and products (what the intervals need); per group and technique, the same
from `article_techniques` (span counts per article and technique, written with each article).
No row per span or per article reaches Python, so a query over the 37k AllSides articles answers
in well under 2 s on a quiet machine (docs/corpus.md, benchmarks/bench_stats.py).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import sqlalchemy as sa

from proplens.errors import ProplensError
from proplens.stats.intervals import ratio_from_sums, wilson, z_value
from proplens.storage.queries import ARTICLE_META, ARTICLE_TECHNIQUES
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
    "spans_per_article_low",
    "spans_per_article_high",
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
        unit), `spans_per_article` with `_low`/`_high` (normal interval of the mean),
        `articles_with` (articles with at least one span),
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
    a = store.articles
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
        sums_a, sums_b = _aggregate(conn, a, dated, keys, techniques_only)
    out["articles"] = sum(r.n for r in sums_a)
    rows, hidden = _rows(keys, sums_a, sums_b, techniques_only, z, min_articles)
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
    """SQL conditions for `{key: [values]}`; the value "(unknown)" matches a missing one."""
    out = []
    for key, values in filters.items():
        known = [v for v in values if v != UNKNOWN]
        if key in BUILTIN:
            expr = _key_expr(a, key)
            either = [expr.in_(known)] if known else []
            if UNKNOWN in values:
                either.append(sa.or_(expr.is_(None), expr == ""))
        else:
            m = ARTICLE_META.alias()
            has = sa.select(m.c.article_id).where(m.c.article_id == a.c.id, m.c.key == key)
            either = [sa.exists(has.where(m.c.value.in_(known)))] if known else []
            if UNKNOWN in values:
                either.append(sa.not_(sa.exists(has.where(m.c.value != ""))))
        out.append(sa.or_(*either))
    return out


def articles_behind(
    store: Store,
    model: str | None = None,
    *,
    where: list[str] | tuple[str, ...] | None = None,
    since: str | None = None,
    until: str | None = None,
    technique: list[str] | tuple[str, ...] | None = None,
    page: int = 1,
    per_page: int = 25,
) -> dict[str, Any]:
    """The articles behind one figure of `corpus_stats` (same filters), most spans first.

    A row of `corpus_stats` becomes `where` clauses of its keys (`source=…`, `month=…`, `bias=…`;
    a `technique` key goes to `technique`), so the list holds exactly the articles counted.

    Returns:
        `{"total", "page", "per_page", "items": [{id, doc_id, title, source, date, n_words,
        spans}]}`; `spans` counts the given techniques' spans (all spans without `technique`).
    """
    if page < 1 or not 1 <= per_page <= 200:
        raise ProplensError(
            f"`page` must be at least 1 and `per_page` between 1 and 200; got {page}, {per_page}."
        )
    filters = parse_where(where)
    only = list(technique or []) + filters.pop("technique", [])
    since, until = _date_bound(since, "--since"), _date_bound(until, "--until")
    empty = {"total": 0, "page": page, "per_page": per_page, "items": []}
    chosen = _choose_model(store, model)
    if chosen is None:
        return empty
    a, s = store.articles, store.spans
    cond = [a.c.status == DONE, a.c.model_name == chosen[0], a.c.model_version == chosen[1]]
    with store._connect() as conn:
        _check_keys(conn, [k for k in filters if k not in BUILTIN])
        cond += _filters(a, filters)
        if since is not None:
            cond.append(a.c.published >= since)
        if until is not None:
            cond.append(a.c.published <= (until if len(until) == 10 else until + "-99"))
        count = sa.select(sa.func.count()).where(s.c.article_id == a.c.id)
        if only:
            count = count.where(s.c.technique.in_(only))
        n = count.scalar_subquery().label("spans")
        total = conn.scalar(sa.select(sa.func.count()).select_from(a).where(*cond)) or 0
        query = (
            sa.select(a.c.id, a.c.doc_id, a.c.title, a.c.source, a.c.date, a.c.n_words, n)
            .where(*cond)
            .order_by(n.desc(), a.c.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        items = [dict(r._mapping) for r in conn.execute(query)]
    return {**empty, "total": total, "items": items}


def corpus_keys(store: Store) -> dict[str, Any]:
    """The keys statistics can use: the built-in ones and the articles' metadata fields, with
    the values of each metadata field that has at most 50 (for filter menus)."""
    m = ARTICLE_META
    with store._connect() as conn:
        counts = conn.execute(
            sa.select(m.c.key, sa.func.count(sa.distinct(m.c.value))).group_by(m.c.key)
        ).all()
        values = {}
        for key, n in counts:
            if n <= 50:
                found = sa.select(m.c.value).where(m.c.key == key).distinct().order_by(m.c.value)
                values[key] = list(conn.scalars(found))
    return {"builtin": list(BUILTIN), "metadata": sorted(k for k, _ in counts), "values": values}


def _undated(conn: sa.Connection, a: sa.Table, where: list[Any]) -> dict[str, int]:
    blank = sa.or_(a.c.date.is_(None), sa.func.trim(a.c.date) == "")
    query = sa.select(
        sa.func.sum(sa.case((blank, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(sa.not_(blank), a.c.published.is_(None)), 1), else_=0)),
    ).where(*where)
    no_date, bad = conn.execute(query).one()
    return {"no_date": int(no_date or 0), "unparsable_date": int(bad or 0)}


def _keyed(a: sa.Table, keys: list[str]) -> tuple[Any, list[Any]]:
    """The articles joined to what the group keys need, and the key columns (labelled g0, g1)."""
    joined: Any = a
    cols = []
    for n, key in enumerate(keys):
        if key in BUILTIN:
            expr = _key_expr(a, key)
        else:
            m = ARTICLE_META.alias()
            joined = joined.outerjoin(m, sa.and_(m.c.article_id == a.c.id, m.c.key == key))
            expr = m.c.value
        cols.append(sa.func.coalesce(sa.func.nullif(expr, ""), UNKNOWN).label(f"g{n}"))
    return joined, cols


def _aggregate(
    conn: sa.Connection, a: sa.Table, where: list[Any], keys: list[str], only: list[str]
) -> tuple[list[Any], list[Any]]:
    """Per group: articles, words and span sums (query A); per group and technique: span sums
    (query B). Sums of squares and products feed the intervals; no row per span or article."""
    t = ARTICLE_TECHNIQUES
    group_keys = [k for k in keys if k != "technique"]
    joined, cols = _keyed(a, group_keys)
    x = a.c.n_words
    only_db = ["" if v == UNKNOWN else v for v in only]
    if only:
        per = (
            sa.select(t.c.article_id, sa.func.sum(t.c.n).label("y"))
            .where(t.c.technique.in_(only_db))
            .group_by(t.c.article_id)
            .subquery()
        )
        joined_a = joined.outerjoin(per, per.c.article_id == a.c.id)
        y: Any = sa.func.coalesce(per.c.y, 0)
    else:
        joined_a, y = joined, a.c.n_spans
    query_a = (
        sa.select(
            *cols,
            sa.func.count().label("n"),
            sa.func.sum(x).label("sx"),
            sa.func.sum(x * x).label("sxx"),
            sa.func.sum(a.c.n_chars).label("chars"),
            sa.func.sum(a.c.covered_chars).label("covered"),
            sa.func.sum(y).label("sy"),
            sa.func.sum(y * y).label("syy"),
            sa.func.sum(x * y).label("sxy"),
            sa.func.sum(sa.case((y > 0, 1), else_=0)).label("k"),
        )
        .select_from(joined_a)
        .where(*where)
        .group_by(*cols)
    )
    query_b = (
        sa.select(
            *cols,
            t.c.technique,
            sa.func.sum(t.c.n).label("sy"),
            sa.func.sum(t.c.n * t.c.n).label("syy"),
            sa.func.sum(x * t.c.n).label("sxy"),
            sa.func.count().label("k"),
        )
        .select_from(joined.join(t, t.c.article_id == a.c.id))
        .where(*where, *([t.c.technique.in_(only_db)] if only else []))
        .group_by(*cols, t.c.technique)
    )
    return list(conn.execute(query_a).all()), list(conn.execute(query_b).all())


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
