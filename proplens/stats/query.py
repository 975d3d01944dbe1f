"""`corpus_stats`: technique rates by any key, with intervals, over the store's articles.

Two aggregate SQL queries do the work: per group, the number of articles and the sums of words,
spans, their squares and products (what the intervals need); per group and technique, the same
from `article_techniques` (span counts per article and technique, written with each article).
No row per span or per article reaches Python, so a query over the 37k AllSides articles answers
in well under 2 s on a quiet machine (docs/corpus.md, benchmarks/bench_stats.py).

The keys and filters are read in `filters.py`, the queries are in `aggregate.py`, and their sums
become rows in `rows.py`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from proplens.errors import ProplensError
from proplens.stats.aggregate import _aggregate, _undated
from proplens.stats.filters import (
    BUILTIN,
    DATE_KEYS,
    UNKNOWN,
    _check_keys,
    _choose_model,
    _date_bound,
    _filters,
    parse_by,
    parse_where,
)
from proplens.stats.intervals import z_value
from proplens.stats.rows import MEASURES, RATE, _columns, _notes, _rows, _sorted
from proplens.storage.queries import ARTICLE_META
from proplens.storage.store import DONE, Store

__all__ = [
    "BUILTIN",
    "MEASURES",
    "RATE",
    "UNKNOWN",
    "articles_behind",
    "corpus_keys",
    "corpus_stats",
    "parse_by",
    "parse_where",
]


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
