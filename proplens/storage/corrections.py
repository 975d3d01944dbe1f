"""Readers' corrections in the store (issue 19; see `proplens.corrections`): each corrected
article once per text, and its corrections in the order they were made."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proplens.storage.migrations import utcnow

if TYPE_CHECKING:
    from proplens.storage.store import Store


def _correction_tables(store: Store) -> tuple[sa.Table, sa.Table]:
    md = sa.MetaData()
    md.reflect(store.engine, only=["corrected_articles", "corrections"])
    return md.tables["corrected_articles"], md.tables["corrections"]


def add_correction(store: Store, article: Any, correction: Any) -> int:
    """Store one correction (a `proplens.corrections.Correction`) of `article` (a
    `CorrectedArticle`; stored once per text). Returns how many corrections the store holds."""
    articles, corrections = _correction_tables(store)
    with store._begin() as conn:
        row = conn.execute(
            sa.select(articles.c.id).where(articles.c.content_hash == article.key)
        ).first()
        if row is None:
            values = dict(
                content_hash=article.key,
                text=article.text,
                title=article.title,
                source=article.source,
                url=article.url,
                date=article.date,
                model=json.dumps(article.model),
                spans=json.dumps([m.model_dump() for m in article.spans]),
                created=utcnow(),
            )
            article_id = conn.execute(sa.insert(articles).values(**values)).inserted_primary_key[0]
        else:
            article_id = row.id
        conn.execute(
            sa.insert(corrections).values(
                article_id=article_id,
                action=correction.action,
                start_char=correction.start,
                end_char=correction.end,
                technique=correction.technique,
                was=correction.was,
                score=correction.score,
                created=utcnow(),
            )
        )
        return conn.execute(sa.select(sa.func.count()).select_from(corrections)).scalar_one()


def corrected_articles(store: Store) -> list[dict[str, Any]]:
    """Every corrected article with its corrections in the order they were made, as dicts in
    the corrections-file shape (`proplens.corrections.CorrectedArticle`)."""
    articles, corrections = _correction_tables(store)
    with store._connect() as conn:
        arts = conn.execute(sa.select(articles).order_by(articles.c.id)).all()
        rows = conn.execute(sa.select(corrections).order_by(corrections.c.id)).all()
    by_article: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_article.setdefault(r.article_id, []).append(
            dict(
                action=r.action,
                start=r.start_char,
                end=r.end_char,
                technique=r.technique,
                was=r.was,
                score=r.score,
                at=r.created,
            )
        )
    return [
        dict(
            text=a.text,
            title=a.title,
            source=a.source,
            url=a.url,
            date=a.date,
            model=json.loads(a.model or "{}"),
            spans=json.loads(a.spans or "[]"),
            corrections=by_article.get(a.id, []),
        )
        for a in arts
    ]
