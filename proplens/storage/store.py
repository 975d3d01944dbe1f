"""`Store`: analysed articles, their spans and batch runs in SQLite or PostgreSQL.

Every query is built with SQLAlchemy Core and bound parameters; nothing from the input is ever
pasted into SQL text. Each `write_batch` is one transaction: a crash loses at most that batch.
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from proplens.doc import META_FIELDS, Doc, Span
from proplens.errors import StoreError
from proplens.ingest.dates import month_of as _month_of
from proplens.ingest.dates import parse_date
from proplens.storage.engine import create_engine, immediate, resolve_url, safe
from proplens.storage.migrations import MIGRATIONS, migrate, utcnow
from proplens.storage.queries import insert_metadata
from proplens.summary import summarize

DONE, FAILED = "done", "failed"
RUNNING, FINISHED, INTERRUPTED = "running", "finished", "interrupted"
STALE_HOURS = 6  # a run on another machine silent this long is taken as killed
_CHUNK = 500  # bound parameters per IN (...) query, well under every backend's limit
_MIGRATION_LOCK = 0x70726F706C656E73  # "proplens": the PostgreSQL advisory lock key
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ModelId:
    """The model a result came from: an article is analysed once per (content hash, model)."""

    name: str
    version: str


@dataclass
class Result:
    """One input after the model ran: an annotated `doc`, or an `error` (with the doc if read)."""

    origin: str | None
    doc: Doc | None = None
    error: str | None = None
    stopped: bool = False  # the article stopped the process before: keep its attempts record


class Store:
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
            why = _why(exc)
            raise StoreError(f"Could not open the database {safe(self.url)!r}: {why}") from None
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

    def __repr__(self) -> str:
        return f"Store({safe(self.url)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @property
    def schema_version(self) -> int:
        return len(MIGRATIONS)

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, model: ModelId, params: dict[str, Any] | None = None) -> int:
        """Record the start of a batch run (on this host, in this process) and return its id."""
        now = utcnow()
        values: dict[str, Any] = dict(
            model_name=model.name, model_version=model.version, started=now
        )
        values.update(host=socket.gethostname()[:255], pid=os.getpid(), heartbeat=now)
        values.update(status=RUNNING, params=_clean(json.dumps(params or {}, default=str)))
        with self._begin() as conn:
            return conn.execute(sa.insert(self.runs).values(**values)).inserted_primary_key[0]

    def finish_run(self, run_id: int) -> None:
        now = utcnow()
        with self._begin() as conn:
            conn.execute(
                sa.update(self.runs)
                .where(self.runs.c.id == run_id)
                .values(finished=now, heartbeat=now, status=FINISHED)
            )

    def close_interrupted_runs(self, stale_hours: float = STALE_HOURS) -> list[int]:
        """Mark unfinished runs whose process is gone as interrupted; return their ids.

        A run of this host is gone when its process id no longer exists; a run of another host
        when it has written nothing for `stale_hours` (its batches refresh `heartbeat`).
        """
        r, host = self.runs, socket.gethostname()[:255]
        cutoff = time.time() - stale_hours * 3600
        with self._connect() as conn:
            rows = conn.execute(
                sa.select(r.c.id, r.c.host, r.c.pid, r.c.heartbeat, r.c.started).where(
                    r.c.finished.is_(None), sa.or_(r.c.status.is_(None), r.c.status == RUNNING)
                )
            ).all()
        gone = [
            row.id
            for row in rows
            if (row.host == host and row.pid is not None and not _alive(row.pid))
            or _timestamp(row.heartbeat or row.started) < cutoff
        ]
        if gone:
            with self._begin() as conn:
                conn.execute(sa.update(r).where(r.c.id.in_(gone)).values(status=INTERRUPTED))
        return gone

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        with self._connect() as conn:
            row = conn.execute(sa.select(self.runs).where(self.runs.c.id == run_id)).first()
        return dict(row._mapping) if row else None

    # -- attempts -----------------------------------------------------------------------------

    def attempts(self, hashes: Iterable[str], model: ModelId) -> dict[str, int]:
        """How many times each of `hashes` was started by `model` without a result being stored."""
        t, hashes = self.attempts_table, list(dict.fromkeys(hashes))
        out: dict[str, int] = {}
        with self._connect() as conn:
            for i in range(0, len(hashes), _CHUNK):
                query = sa.select(t.c.content_hash, t.c.attempts).where(
                    t.c.content_hash.in_(hashes[i : i + _CHUNK]),
                    t.c.model_name == model.name,
                    t.c.model_version == model.version,
                )
                out.update((h, n) for h, n in conn.execute(query))
        return out

    def mark_started(
        self, run_id: int | None, model: ModelId, items: Iterable[tuple[str | None, Doc]]
    ) -> None:
        """Record (and commit) that `items` are about to be analysed: one more attempt each.

        The record is removed when the result is stored, so one that survives names an article
        whose analysis stopped the process (killed, out of memory).
        """
        t, now = self.attempts_table, utcnow()
        with self._begin() as conn:
            for origin, doc in items:
                key = dict(
                    content_hash=doc.content_hash,
                    model_name=model.name,
                    model_version=model.version,
                )
                done = conn.execute(
                    sa.update(t)
                    .where(*(t.c[k] == v for k, v in key.items()))
                    .values(attempts=t.c.attempts + 1, run_id=run_id, started=now)
                )
                if not done.rowcount:
                    values = dict(key, origin=_clean(origin), attempts=1, run_id=run_id)
                    conn.execute(sa.insert(t).values(**values, started=now))

    def reset_attempts(self, model: ModelId, to: int) -> None:
        """Lower every attempt count of `model` above `to` to `to` (to try those articles again)."""
        t = self.attempts_table
        with self._begin() as conn:
            conn.execute(
                sa.update(t)
                .where(
                    t.c.model_name == model.name,
                    t.c.model_version == model.version,
                    t.c.attempts > to,
                )
                .values(attempts=to)
            )

    def unmark_started(self, model: ModelId, hashes: Iterable[str]) -> None:
        """Forget the attempts of `hashes` (their analysis ended without stopping the process)."""
        with self._begin() as conn:
            self._clear_attempts(conn, model, list(hashes))

    def _clear_attempts(self, conn: sa.Connection, model: ModelId, hashes: list[str]) -> None:
        t = self.attempts_table
        for i in range(0, len(hashes), _CHUNK):
            conn.execute(
                sa.delete(t).where(
                    t.c.content_hash.in_(hashes[i : i + _CHUNK]),
                    t.c.model_name == model.name,
                    t.c.model_version == model.version,
                )
            )

    # -- writing ------------------------------------------------------------------------------

    def done_hashes(self, hashes: Iterable[str], model: ModelId) -> set[str]:
        """The subset of `hashes` already analysed by `model`."""
        a = self.articles
        hashes = list(dict.fromkeys(hashes))
        found: set[str] = set()
        with self._connect() as conn:
            for i in range(0, len(hashes), _CHUNK):
                query = sa.select(a.c.content_hash).where(
                    a.c.content_hash.in_(hashes[i : i + _CHUNK]),
                    a.c.model_name == model.name,
                    a.c.model_version == model.version,
                    a.c.status == DONE,
                )
                found.update(conn.scalars(query))
        return found

    def write_batch(
        self, run_id: int | None, model: ModelId, results: Iterable[Result], skipped: int = 0
    ) -> dict[str, int]:
        """Store a batch of results in one transaction and add its counts to the run.

        A result whose text is already stored for `model` counts as skipped (so concurrent
        shards never duplicate an article). A failure replaces any earlier failure of the same
        origin; a success clears them.

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
                    error = f"The database could not store this article: {_why(exc)}"
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
        values = _article_values(doc, run_id, model, result.origin, DONE, None)
        stmt = self._insert_ignore().values(**values).returning(self.articles.c.id)
        article_id = conn.execute(stmt).scalar()
        if article_id is None:
            return False
        rows = [_span_values(article_id, i, s) for i, s in enumerate(doc.spans)]
        if rows:
            conn.execute(sa.insert(self.spans), rows)
        insert_metadata(conn, article_id, doc)  # extra fields as rows (storage/queries.py)
        return True

    def _insert_failed(self, conn: sa.Connection, run_id, model: ModelId, result: Result) -> None:
        self._clear_failures(conn, model, result, success=False)
        doc = result.doc or Doc("")
        values = _article_values(doc, run_id, model, result.origin, FAILED, result.error)
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
            index_elements=[a.c.content_hash, a.c.model_name, a.c.model_version],
            index_where=sa.text("status = 'done'"),
        )

    # -- reading ------------------------------------------------------------------------------

    def get_article(self, id: int | str) -> Doc | None:
        """The stored article with store id `id` (as listed by `list_articles`), or None.

        The Doc keeps its original `id` (or the store id when it had none); the store's own
        fields are in `doc.extra["store"]`: article_id, model, status, error, run_id, created.
        """
        try:
            key = int(id)
        except (TypeError, ValueError):
            return None
        with self._connect() as conn:
            row = conn.execute(sa.select(self.articles).where(self.articles.c.id == key)).first()
            if row is None:
                return None
            spans = self._spans_for(conn, [key])
        doc = _row_to_doc(row, spans.get(key, []))
        doc.extra["store"] = {
            "article_id": row.id,
            "model": f"{row.model_name} {row.model_version}",
            "status": row.status,
            "error": row.error,
            "run_id": row.run_id,
            "created": row.created,
        }
        return doc

    def list_articles(
        self,
        technique: str | None = None,
        source: str | None = None,
        q: str | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> dict[str, Any]:
        """A page of analysed articles, newest first.

        Args:
            technique: Only articles with at least one span of this technique.
            source: Only articles from this outlet (exact match).
            q: Only articles whose title or text contains this, ignoring case.
            page: 1-based page number.
            per_page: Articles per page, 1 to 500.

        Returns:
            `{"items": [...], "total", "page", "per_page", "pages"}`; each item has id (the store
            id for `get_article`), doc_id, title, source, url, date, n_words, n_spans, density,
            techniques (counts) and model.
        """
        if page < 1 or not 1 <= per_page <= 500:
            raise StoreError(
                f"`page` must be at least 1 and `per_page` between 1 and 500; got page={page}, "
                f"per_page={per_page}."
            )
        a, s = self.articles, self.spans
        where = [a.c.status == DONE]
        if technique is not None:
            has = sa.select(s.c.id).where(s.c.article_id == a.c.id, s.c.technique == technique)
            where.append(sa.exists(has))
        if source is not None:
            where.append(a.c.source == source)
        if q:
            where.append(
                sa.or_(
                    a.c.title.icontains(q, autoescape=True), a.c.text.icontains(q, autoescape=True)
                )
            )
        cols = [
            a.c[n]
            for n in (
                "id",
                "doc_id",
                "title",
                "source",
                "url",
                "date",
                "n_words",
                "n_chars",
                "n_spans",
                "covered_chars",
                "model_name",
                "model_version",
            )
        ]
        with self._connect() as conn:
            total = conn.scalar(sa.select(sa.func.count()).select_from(a).where(*where)) or 0
            query = (
                sa.select(*cols)
                .where(*where)
                .order_by(a.c.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
            rows = conn.execute(query).all()
            counts = self._technique_counts(conn, [r.id for r in rows])
        items = [
            {
                "id": r.id,
                "doc_id": r.doc_id,
                "title": r.title,
                "source": r.source,
                "url": r.url,
                "date": r.date,
                "n_words": r.n_words,
                "n_spans": r.n_spans,
                "density": r.covered_chars / r.n_chars if r.n_chars else 0.0,
                "techniques": counts.get(r.id, {}),
                "model": f"{r.model_name} {r.model_version}",
            }
            for r in rows
        ]
        pages = math.ceil(total / per_page) if total else 0
        return {"items": items, "total": total, "page": page, "per_page": per_page, "pages": pages}

    def iter_articles(self, status: str = DONE) -> Iterator[Doc]:
        """Every stored article with `status`, in store order, read in chunks (for export)."""
        a, last = self.articles, 0
        while True:
            with self._connect() as conn:
                query = (
                    sa.select(a)
                    .where(a.c.status == status, a.c.id > last)
                    .order_by(a.c.id)
                    .limit(_CHUNK)
                )
                rows = conn.execute(query).all()
                if not rows:
                    return
                spans = self._spans_for(conn, [r.id for r in rows])
            for row in rows:
                yield _row_to_doc(row, spans.get(row.id, []))
            last = rows[-1].id

    def failures(self, run_id: int | None = None) -> list[dict[str, Any]]:
        """Failed articles (of one run, or all): id, origin, error, model, run_id."""
        a = self.articles
        where = [a.c.status == FAILED] + ([a.c.run_id == run_id] if run_id is not None else [])
        query = (
            sa.select(a.c.id, a.c.origin, a.c.error, a.c.model_name, a.c.model_version, a.c.run_id)
            .where(*where)
            .order_by(a.c.id)
        )
        with self._connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def count(self, status: str = DONE) -> int:
        a = self.articles
        with self._connect() as conn:
            query = sa.select(sa.func.count()).select_from(a).where(a.c.status == status)
            return conn.scalar(query) or 0

    def _spans_for(self, conn: sa.Connection, ids: list[int]) -> dict[int, list[Span]]:
        s = self.spans
        out: dict[int, list[Span]] = {}
        query = sa.select(s).where(s.c.article_id.in_(ids)).order_by(s.c.article_id, s.c.ord)
        for r in conn.execute(query):
            alts = tuple((t, float(v)) for t, v in json.loads(r.alternatives or "[]"))
            out.setdefault(r.article_id, []).append(
                Span(r.start_char, r.end_char, r.technique, float(r.score), "", alts)
            )
        return out

    def _technique_counts(self, conn: sa.Connection, ids: list[int]) -> dict[int, dict[str, int]]:
        if not ids:
            return {}
        s = self.spans
        out: dict[int, dict[str, int]] = {}
        query = (
            sa.select(s.c.article_id, s.c.technique, sa.func.count())
            .where(s.c.article_id.in_(ids))
            .group_by(s.c.article_id, s.c.technique)
        )
        for article_id, technique, n in conn.execute(query):
            out.setdefault(article_id, {})[technique or "(none)"] = n
        return out

    # -- connections --------------------------------------------------------------------------

    def _connect(self):  # type: ignore[no-untyped-def]
        return _Guard(self, self.engine.connect)

    def _begin(self):  # type: ignore[no-untyped-def]
        return _Guard(self, lambda: _writing(self.engine))


class _Guard:
    """A connection context that turns driver errors into one-sentence `StoreError`s."""

    def __init__(self, store: Store, open_ctx: Any) -> None:
        self.store, self.open_ctx = store, open_ctx  # opened in __enter__, inside the guard

    def __enter__(self) -> sa.Connection:
        try:
            self.ctx = self.open_ctx()
            return self.ctx.__enter__()
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not use the database {self.store!r}: {_why(exc)}") from None

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self.ctx.__exit__(*exc_info)
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not write to {self.store!r}: {_why(exc)}") from None
        if isinstance(exc_info[1], DBAPIError):
            raise StoreError(f"Database error in {self.store!r}: {_why(exc_info[1])}") from None


@contextmanager
def _writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a write transaction (SQLite takes its write lock at BEGIN: no deadlock
    between two readers that both want to write, which SQLite reports as "database is locked")."""
    with immediate(engine.connect()) as conn, conn.begin():
        yield conn


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def _timestamp(text: str | None) -> float:
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _clean(value: Any) -> Any:
    """`value` with lone surrogates (from file names that are not UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def _why(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return text.rstrip(".") + "."


def month_of(date: str | None) -> str | None:
    """`YYYY-MM` of a date as crawled, else None (see `proplens.ingest.dates.parse_date`)."""
    return _month_of(date)


def _article_values(doc: Doc, run_id, model: ModelId, origin, status, error) -> dict[str, Any]:
    meta, summary = doc.meta(), summarize(doc, top_sentences=0)
    values = {
        "content_hash": doc.content_hash,
        "model_name": model.name,
        "model_version": model.version,
        "run_id": run_id,
        "status": status,
        "error": error,
        "origin": origin,
        "doc_id": doc.id,
        "title": doc.title,
        "source": doc.source,
        "url": doc.url,
        "date": doc.date,
        "month": month_of(doc.date),
        "published": parse_date(doc.date),
        "author": doc.author,
        "metadata": json.dumps(meta, ensure_ascii=False, default=str),
        "text": doc.text,
        "n_chars": summary["n_chars"],
        "n_words": summary["n_words"],
        "n_spans": len(doc.spans),
        "covered_chars": summary["covered_chars"],
        "created": utcnow(),
    }
    return {k: _clean(v) for k, v in values.items()}


def _span_values(article_id: int, ord: int, span: Span) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "ord": ord,
        "start_char": span.start,
        "end_char": span.end,
        "technique": span.technique,
        "score": float(span.score),
        "alternatives": json.dumps([[t, s] for t, s in span.alternatives])
        if span.alternatives
        else None,
    }


def _row_to_doc(row: Any, spans: list[Span]) -> Doc:
    meta = json.loads(row.metadata or "{}")
    extra = {k: v for k, v in meta.items() if k not in META_FIELDS}
    fields = {k: meta.get(k) for k in META_FIELDS}
    fields["id"] = fields["id"] if fields["id"] is not None else str(row.id)
    return Doc(text=row.text or "", spans=spans, extra=extra, **fields)


# -- readers' corrections (issue 19; see proplens.corrections) ------------------------------------


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
