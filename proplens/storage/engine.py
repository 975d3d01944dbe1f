"""Turn a `--db` value into a SQLAlchemy engine, with errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from proplens.errors import StoreError
from proplens.storage.paths import default_db_url

BACKENDS = ("sqlite", "postgresql")
IMMEDIATE = "proplens_write"


def resolve_url(db: str | None) -> URL:
    """Parse a `--db` value: None (the default SQLite file), a file path, or a SQLAlchemy URL.

    `postgresql://` and `postgres://` URLs get the psycopg 3 driver (the `postgres` extra).
    """
    if db is None or not str(db).strip():
        db = default_db_url()
    elif "://" not in str(db):
        db = f"sqlite:///{Path(db).expanduser().resolve()}"
    try:
        url = sa.make_url(str(db))
    except ArgumentError:
        raise StoreError(
            f"Could not parse the database URL {db!r}. Use a file path, sqlite:///path/to/file.db "
            "or postgresql+psycopg://user:password@host:5432/dbname."
        ) from None
    if url.get_backend_name() == "postgres":
        url = url.set(drivername="postgresql")
    if url.get_backend_name() not in BACKENDS:
        raise StoreError(
            f"Unsupported database type '{url.get_backend_name()}' in {url.render_as_string()!r}. "
            "Use a file path, sqlite:///path/to/file.db or postgresql+psycopg://user@host/dbname."
        )
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def create_engine(url: URL) -> Engine:
    """An engine for `url`; SQLite gets real transactions (DDL included), WAL and a busy timeout."""
    try:
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            # One shared in-memory database for every thread (tests, demos), not one per thread.
            engine = sa.create_engine(
                url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
            _sqlite_transactions(engine)
        elif url.get_backend_name() == "sqlite":
            engine = sa.create_engine(url)
            _sqlite_transactions(engine)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"The database driver for {safe(url)!r} is not installed ({exc}). For PostgreSQL, "
            "install the extra: pip install 'proplens[postgres]'."
        ) from None
    return engine


def safe(url: URL) -> str:
    """`url` as text with any password hidden."""
    return url.render_as_string(hide_password=True)


def _sqlite_transactions(engine: Engine) -> None:
    # pysqlite does not BEGIN before DDL; take over so that migrations and batches are atomic
    # (the recipe from SQLAlchemy's SQLite dialect documentation).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        write = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def immediate(conn: sa.Connection) -> sa.Connection:
    """`conn` set to take SQLite's write lock when its transaction begins (other backends: as is).

    A transaction that reads and then writes would otherwise fail at once with "database is
    locked" when another one wrote meanwhile, instead of waiting its turn (busy_timeout).
    """
    return conn.execution_options(**{IMMEDIATE: True})
