"""Schema changes as an append-only list of functions (after simonw/llm's `@migration`).

Never edit or reorder a migration that has shipped: add a new function at the end instead.
Each migration runs inside the same transaction as the record of it having run, so a crash
leaves the database either before or after the migration, never half-way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from proplens.errors import StoreError

MIGRATIONS_TABLE = "_proplens_migrations"
MIGRATIONS: list[Callable[[Connection], None]] = []


def migration(fn: Callable[[Connection], None]) -> Callable[[Connection], None]:
    """Register `fn` as the next schema migration."""
    MIGRATIONS.append(fn)
    return fn


def utcnow() -> str:
    """The current UTC time as an ISO 8601 string (stored as text, identical on every backend)."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _migrations_table(md: sa.MetaData) -> sa.Table:
    return sa.Table(
        MIGRATIONS_TABLE,
        md,
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("applied_at", sa.String(32), nullable=False),
    )


def applied(conn: Connection) -> list[str]:
    """Names of the migrations already applied to the database behind `conn`."""
    table = _migrations_table(sa.MetaData())
    table.create(conn, checkfirst=True)
    return [r.name for r in conn.execute(sa.select(table.c.name))]


def migrate(conn: Connection) -> list[str]:
    """Apply every pending migration, in order, inside the caller's transaction.

    Args:
        conn: A connection with a transaction open.

    Returns:
        The names of the migrations applied now (empty when the schema was current).

    Raises:
        StoreError: The database holds migrations this proplens does not know, so a newer
            proplens wrote it; opening it with this one could lose data.
    """
    done = applied(conn)
    known = [fn.__name__ for fn in MIGRATIONS]
    unknown = [name for name in done if name not in known]
    if unknown:
        from proplens import __version__

        raise StoreError(
            f"This database was written by a newer proplens: it has schema migration "
            f"'{unknown[0]}', which proplens {__version__} does not know. Upgrade proplens "
            "to open it; the database was left unchanged."
        )
    table = _migrations_table(sa.MetaData())
    ran = []
    for fn in MIGRATIONS:
        if fn.__name__ not in done:
            fn(conn)
            conn.execute(sa.insert(table).values(name=fn.__name__, applied_at=utcnow()))
            ran.append(fn.__name__)
    return ran


def _where_done() -> dict[str, Any]:
    # Any, not TextClause: the dict is spread into sa.Index(**dialect_kw), whose typed keyword
    # parameters (unique, quote, info, ...) mypy would otherwise match it against.
    clause = sa.text("status = 'done'")
    return {"sqlite_where": clause, "postgresql_where": clause}


@migration
def m001_initial(conn: Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "runs",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("started", sa.String(32), nullable=False),
        sa.Column("finished", sa.String(32)),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("params", sa.Text),
    )
    articles = sa.Table(
        "articles",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("origin", sa.Text),
        sa.Column("doc_id", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("date", sa.String(64)),
        sa.Column("month", sa.String(7)),
        sa.Column("author", sa.Text),
        sa.Column("metadata", sa.Text),
        sa.Column("text", sa.Text),
        sa.Column("n_chars", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_words", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_spans", sa.Integer, nullable=False, server_default="0"),
        sa.Column("covered_chars", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.String(32), nullable=False),
    )
    # One finished analysis per (text, model); failures are kept per origin and retried.
    sa.Index(
        "ux_articles_done",
        articles.c.content_hash,
        articles.c.model_name,
        articles.c.model_version,
        unique=True,
        **_where_done(),
    )
    sa.Index("ix_articles_origin", articles.c.origin)
    sa.Index("ix_articles_source", articles.c.source)
    sa.Index("ix_articles_month", articles.c.month)
    spans = sa.Table(
        "spans",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ord", sa.Integer, nullable=False),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("technique", sa.String(100)),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("alternatives", sa.Text),
    )
    sa.Index("ix_spans_article", spans.c.article_id)
    sa.Index("ix_spans_technique", spans.c.technique)
    md.create_all(conn)


@migration
def m002_run_liveness_and_attempts(conn: Connection) -> None:
    """Runs record where they run (to close killed ones); `attempts` marks started articles."""
    conn.execute(sa.text("ALTER TABLE runs ADD COLUMN host VARCHAR(255)"))
    conn.execute(sa.text("ALTER TABLE runs ADD COLUMN pid INTEGER"))
    conn.execute(sa.text("ALTER TABLE runs ADD COLUMN heartbeat VARCHAR(32)"))
    conn.execute(sa.text("ALTER TABLE runs ADD COLUMN status VARCHAR(16)"))
    conn.execute(sa.text("UPDATE runs SET status = 'finished' WHERE finished IS NOT NULL"))
    md = sa.MetaData()
    # An article being analysed: a row is written (and committed) before the model runs and
    # removed with its result, so a row left behind names an article that stopped the process.
    sa.Table(
        "attempts",
        md,
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("model_name", sa.String(200), primary_key=True),
        sa.Column("model_version", sa.String(100), primary_key=True),
        sa.Column("origin", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("run_id", sa.Integer),
        sa.Column("started", sa.String(32), nullable=False),
    )
    md.create_all(conn)


@migration
def m003_article_metadata(conn: Connection) -> None:
    """Every extra field of an article as a row of `article_meta`; `published` (ISO date parsed
    from `date`, which is kept as given); indexes for the statistics queries."""
    from proplens.storage.queries import ARTICLE_META, backfill_metadata

    ARTICLE_META.create(conn)
    conn.execute(sa.text("ALTER TABLE articles ADD COLUMN published VARCHAR(10)"))
    md = sa.MetaData()
    articles = sa.Table("articles", md, autoload_with=conn)
    spans = sa.Table("spans", md, autoload_with=conn)
    sa.Index("ix_articles_published", articles.c.published).create(conn)
    sa.Index(
        "ix_articles_model_status",
        articles.c.model_name,
        articles.c.model_version,
        articles.c.status,
    ).create(conn)
    sa.Index("ix_spans_technique_article", spans.c.technique, spans.c.article_id).create(conn)
    backfill_metadata(conn)


@migration
def m004_reader_corrections(conn: Connection) -> None:
    """Readers' corrections of marks (issue 19): `corrected_articles` holds each corrected
    article once (by content hash) with the model's marks; `corrections` one row per decision."""
    md = sa.MetaData()
    sa.Table(
        "corrected_articles",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("date", sa.String(64)),
        sa.Column("model", sa.Text),
        sa.Column("spans", sa.Text),
        sa.Column("created", sa.String(32), nullable=False),
    )
    corrections = sa.Table(
        "corrections",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("corrected_articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("technique", sa.String(100)),
        sa.Column("was", sa.String(100)),
        sa.Column("score", sa.Float),
        sa.Column("created", sa.String(32), nullable=False),
    )
    sa.Index("ix_corrections_article", corrections.c.article_id)
    md.create_all(conn)


@migration
def m005_article_technique_counts(conn: Connection) -> None:
    """Span counts per article and technique, so statistics aggregate ~10 rows per article in
    SQL instead of grouping every span (backfilled from `spans`)."""
    from proplens.storage.queries import ARTICLE_TECHNIQUES

    ARTICLE_TECHNIQUES.create(conn)
    conn.execute(
        sa.text(
            "INSERT INTO article_techniques (article_id, technique, n) "
            "SELECT article_id, COALESCE(technique, ''), COUNT(*) FROM spans "
            "GROUP BY article_id, COALESCE(technique, '')"
        )
    )


@migration
def m006_article_publisher(conn: Connection) -> None:
    """A finished analysis is kept once per (text, outlet, model), not per (text, model): a
    story syndicated to two outlets is an article of each. `publisher` is the outlet ('' when
    the input named none), so inputs without outlets are deduplicated by text as before."""
    conn.execute(sa.text("ALTER TABLE articles ADD COLUMN publisher TEXT NOT NULL DEFAULT ''"))
    conn.execute(sa.text("UPDATE articles SET publisher = COALESCE(source, '')"))
    conn.execute(sa.text("DROP INDEX ux_articles_done"))
    articles = sa.Table("articles", sa.MetaData(), autoload_with=conn)
    sa.Index(
        "ux_articles_done",
        articles.c.content_hash,
        articles.c.publisher,
        articles.c.model_name,
        articles.c.model_version,
        unique=True,
        **_where_done(),
    ).create(conn)
