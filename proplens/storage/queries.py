"""Article metadata in the store: any extra field of an input record, kept and queryable.

A record's fields beyond id/title/source/url/date/author (AllSides' `topic` and `bias`, a
feed's `lang`, …) are kept twice: whole in `articles.metadata` (JSON, for export) and one row per
key in `article_meta(article_id, key, value)`, indexed on `(key, value)`, so `stats --by bias` and
`--where topic=elections` are plain indexed queries. Values are stored as text.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from proplens.doc import Doc

MAX_KEY = 100
MAX_VALUE = 1000  # longer values stay in `articles.metadata` only (they are not categories)
_MD = sa.MetaData()
sa.Table("articles", _MD, sa.Column("id", sa.Integer, primary_key=True))  # for the foreign key
ARTICLE_META = sa.Table(
    "article_meta",
    _MD,
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("key", sa.String(MAX_KEY), primary_key=True),
    sa.Column("value", sa.String(MAX_VALUE)),
)
sa.Index("ix_article_meta_key_value", ARTICLE_META.c.key, ARTICLE_META.c.value)
ARTICLE_TECHNIQUES = sa.Table(  # "" stands for spans without a technique
    "article_techniques",
    _MD,
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("technique", sa.String(100), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
sa.Index(
    "ix_article_techniques_technique",
    ARTICLE_TECHNIQUES.c.technique,
    ARTICLE_TECHNIQUES.c.article_id,
    ARTICLE_TECHNIQUES.c.n,
)


def meta_items(extra: dict[str, Any]) -> list[tuple[str, str]]:
    """The `(key, value)` pairs of `extra` that go to `article_meta`: scalar values, as text."""
    out = []
    for key, value in extra.items():
        if key == "store" or value is None or len(str(key)) > MAX_KEY:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            text = str(value)
        else:
            continue  # lists and objects stay in the JSON column
        if len(text) <= MAX_VALUE:
            out.append((str(key), text))
    return out


def insert_metadata(conn: sa.Connection, article_id: int, doc: Doc) -> None:
    """Write a stored article's metadata rows and its span count per technique (inside the
    caller's transaction)."""
    rows = [{"article_id": article_id, "key": k, "value": v} for k, v in meta_items(doc.extra)]
    if rows:
        conn.execute(sa.insert(ARTICLE_META), rows)
    counts: dict[str, int] = {}
    for span in doc.spans:
        counts[span.technique or ""] = counts.get(span.technique or "", 0) + 1
    if counts:
        conn.execute(
            sa.insert(ARTICLE_TECHNIQUES),
            [{"article_id": article_id, "technique": t, "n": n} for t, n in counts.items()],
        )


def backfill_metadata(conn: sa.Connection) -> None:
    """Fill `article_meta`, `published` and `month` for articles stored before they existed."""
    from proplens.doc import META_FIELDS
    from proplens.ingest.dates import parse_date

    articles = sa.table(
        "articles",
        sa.column("id"),
        sa.column("status"),
        sa.column("date"),
        sa.column("metadata"),
        sa.column("month"),
        sa.column("published"),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(articles.c.id, articles.c.date, articles.c.metadata)
            .where(articles.c.status == "done", articles.c.id > last)
            .order_by(articles.c.id)
            .limit(1000)
        ).all()
        if not rows:
            return
        meta_rows = []
        for row in rows:
            try:
                meta = json.loads(row.metadata or "{}")
            except ValueError:
                meta = {}
            extra = {k: v for k, v in meta.items() if k not in META_FIELDS}
            meta_rows += [
                {"article_id": row.id, "key": k, "value": v} for k, v in meta_items(extra)
            ]
            published = parse_date(row.date)
            conn.execute(
                sa.update(articles)
                .where(articles.c.id == row.id)
                .values(published=published, month=published[:7] if published else None)
            )
        if meta_rows:
            conn.execute(sa.insert(ARTICLE_META), meta_rows)
        last = rows[-1].id
