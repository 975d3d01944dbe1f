"""`Store`: analysed articles, their spans and batch runs in SQLite or PostgreSQL.

Every query is built with SQLAlchemy Core and bound parameters; nothing from the input is ever
pasted into SQL text. Each `write_batch` is one transaction: a crash loses at most that batch.

The store's query groups live beside it: runs and attempts in `runs.py`, reads in `reading.py`,
rows built from Docs in `records.py`, guarded connections in `connections.py`, and readers'
corrections in `corrections.py`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from proplens.doc import Doc, Span
from proplens.errors import StoreError
from proplens.storage.connections import why
from proplens.storage.corrections import add_correction, corrected_articles
from proplens.storage.engine import create_engine, immediate, resolve_url, safe
from proplens.storage.migrations import MIGRATIONS, migrate, utcnow
from proplens.storage.queries import insert_metadata
from proplens.storage.reading import Reading
from proplens.storage.records import (
    CHUNK,
    DONE,
    FAILED,
    ModelId,
    Result,
    article_values,
    month_of,
    span_values,
)
from proplens.storage.runs import FINISHED, INTERRUPTED, RUNNING, STALE_HOURS, RunLog

__all__ = [
    "DONE",
    "FAILED",
    "FINISHED",
    "INTERRUPTED",
    "RUNNING",
    "STALE_HOURS",
    "ModelId",
    "Result",
    "Store",
    "add_correction",
    "corrected_articles",
    "month_of",
]

_MIGRATION_LOCK = 0x70726F706C656E73  # "proplens": the PostgreSQL advisory lock key


class Store(RunLog, Reading):
    """Articles, spans and runs behind SQLAlchemy Core.

    Args:
        url: A SQLAlchemy URL (`sqlite:///file.db`, `postgresql+psycopg://user@host/db`), a path
            to a SQLite file, or None for `<user data dir>/proplens.db` (`PROPLENS_HOME` overrides).

    Example:
        >>> store = Store("sqlite://")
        >>> store.list_articles()["total"]
        0
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        self.engine = create_engine(self.url)
        try:
            self.migrated = self._migrate()
            md = sa.MetaData()
            md.reflect(self.engine, only=["runs", "articles", "spans", "attempts"])
        except StoreError:
            self.engine.dispose()
            raise
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(
                f"Could not open the database {safe(self.url)!r}: {why(exc)}"
            ) from None
        self.runs, self.articles, self.spans, self.attempts_table = (
            md.tables[n] for n in ("runs", "articles", "spans", "attempts")
        )

    def _migrate(self, tries: int = 8) -> list[str]:
        """Bring the schema up to date, one process at a time.

        Processes started together on an empty database would otherwise all create the same
        tables: PostgreSQL serialises them with an advisory lock held until commit, SQLite with
        `BEGIN IMMEDIATE` (the write lock taken up front) and a few retries while it is busy.
        """
        for attempt in range(tries):
            try:
                with immediate(self.engine.connect()) as conn, conn.begin():
                    if self.engine.dialect.name == "postgresql":
                        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
                    return migrate(conn)
            except sa.exc.OperationalError as exc:
                if "locked" not in str(exc) or attempt == tries - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @property
    def schema_version(self) -> int:
        return len(MIGRATIONS)

    # -- writing ------------------------------------------------------------------------------

    def done_keys(self, hashes: Iterable[str], model: ModelId) -> set[tuple[str, str]]:
        """`(content_hash, publisher)` of the articles with these texts that `model` analysed.

        An article is stored once per text, outlet (`publisher`: its `source`, '' when none)
        and model: a story syndicated to two outlets is an article of each.
        """
        a = self.articles
        hashes = list(dict.fromkeys(hashes))
        found: set[tuple[str, str]] = set()
        with self._connect() as conn:
            for i in range(0, len(hashes), CHUNK):
                query = sa.select(a.c.content_hash, a.c.publisher).where(
                    a.c.content_hash.in_(hashes[i : i + CHUNK]),
                    a.c.model_name == model.name,
                    a.c.model_version == model.version,
                    a.c.status == DONE,
                )
                found.update((h, p) for h, p in conn.execute(query))
        return found

    def stored_spans(self, hashes: Iterable[str], model: ModelId) -> dict[str, list[Span]]:
        """The spans `model` found in each of these texts, for those it analysed (under any
        outlet), so another outlet's copy of a text is stored without running the model."""
        a = self.articles
        hashes = list(dict.fromkeys(hashes))
        first: dict[str, int] = {}
        with self._connect() as conn:
            for i in range(0, len(hashes), CHUNK):
                query = (
                    sa.select(a.c.content_hash, sa.func.min(a.c.id))
                    .where(
                        a.c.content_hash.in_(hashes[i : i + CHUNK]),
                        a.c.model_name == model.name,
                        a.c.model_version == model.version,
                        a.c.status == DONE,
                    )
                    .group_by(a.c.content_hash)
                )
                first.update((h, id) for h, id in conn.execute(query))
            spans = self._spans_for(conn, list(first.values()))
        return {h: spans.get(id, []) for h, id in first.items()}

    def write_batch(
        self, run_id: int | None, model: ModelId, results: Iterable[Result], skipped: int = 0
    ) -> dict[str, int]:
        """Store a batch of results in one transaction and add its counts to the run.

        A result whose text and outlet are already stored for `model` counts as skipped (so
        concurrent shards never duplicate an article). A failure replaces any earlier failure
        of the same origin; a success clears them.

        Returns:
            `{"done": …, "skipped": …, "failed": …}` for this batch.
        """
        counts = {"done": 0, "skipped": skipped, "failed": 0}
        results = list(results)
        with self._begin() as conn:
            for result in results:
                try:
                    with conn.begin_nested():  # a savepoint: one unstorable article fails alone
                        if result.error is None and result.doc is not None:
                            new = self._insert_done(conn, run_id, model, result)
                            counts["done" if new else "skipped"] += 1
                            continue
                        self._insert_failed(conn, run_id, model, result)
                except (DBAPIError, UnicodeError, ValueError) as exc:  # e.g. NUL for PostgreSQL
                    error = f"The database could not store this article: {why(exc)}"
                    self._insert_failed(conn, run_id, model, Result(result.origin, error=error))
                counts["failed"] += 1
            ended = [r.doc.content_hash for r in results if r.doc is not None and not r.stopped]
            self._clear_attempts(conn, model, ended)
            if run_id is not None:
                r = self.runs
                conn.execute(
                    sa.update(r)
                    .where(r.c.id == run_id)
                    .values(
                        heartbeat=utcnow(), **{k: getattr(r.c, k) + v for k, v in counts.items()}
                    )
                )
        return counts

    def _clear_failures(
        self, conn: sa.Connection, model: ModelId, result: Result, success: bool
    ) -> None:
        """Delete earlier failures of the same origin; a success also clears its text's."""
        a = self.articles
        keys = []
        if result.origin is not None:
            keys.append(a.c.origin == result.origin)
        if result.doc is not None and (success or result.origin is None):
            keys.append(a.c.content_hash == result.doc.content_hash)
        if keys:
            conn.execute(
                sa.delete(a).where(
                    a.c.status == FAILED,
                    a.c.model_name == model.name,
                    a.c.model_version == model.version,
                    sa.or_(*keys),
                )
            )

    def _insert_done(self, conn: sa.Connection, run_id, model: ModelId, result: Result) -> bool:
        doc = result.doc
        assert doc is not None
        self._clear_failures(conn, model, result, success=True)
        values = article_values(doc, run_id, model, result.origin, DONE, None)
        stmt = self._insert_ignore().values(**values).returning(self.articles.c.id)
        article_id = conn.execute(stmt).scalar()
        if article_id is None:
            return False
        rows = [span_values(article_id, i, s) for i, s in enumerate(doc.spans)]
        if rows:
            conn.execute(sa.insert(self.spans), rows)
        insert_metadata(conn, article_id, doc)  # extra fields as rows (storage/queries.py)
        return True

    def _insert_failed(self, conn: sa.Connection, run_id, model: ModelId, result: Result) -> None:
        self._clear_failures(conn, model, result, success=False)
        doc = result.doc or Doc("")
        values = article_values(doc, run_id, model, result.origin, FAILED, result.error)
        if result.doc is None:
            values["content_hash"] = None
        conn.execute(sa.insert(self.articles).values(**values))

    def _insert_ignore(self):  # type: ignore[no-untyped-def]
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        a = self.articles
        return insert(a).on_conflict_do_nothing(
            index_elements=[a.c.content_hash, a.c.publisher, a.c.model_name, a.c.model_version],
            index_where=sa.text("status = 'done'"),
        )
