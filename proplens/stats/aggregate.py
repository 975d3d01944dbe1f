"""The two aggregate SQL queries behind `corpus_stats`, and the count of undated articles.

Per group: the number of articles and the sums of words, spans, their squares and products
(what the intervals need); per group and technique, the same from `article_techniques` (span
counts per article and technique, written with each article). No row per span or per article
reaches Python.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from proplens.stats.filters import BUILTIN, UNKNOWN, _key_expr
from proplens.storage.queries import ARTICLE_META, ARTICLE_TECHNIQUES


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
