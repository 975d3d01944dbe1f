"""Guarded connections: every driver error leaves the store as a one-sentence `StoreError`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from proplens.errors import StoreError
from proplens.storage.engine import immediate, safe


class Connected:
    """What the store's query groups share: the engine, the tables and guarded connections."""

    url: URL
    engine: sa.Engine
    runs: sa.Table
    articles: sa.Table
    spans: sa.Table
    attempts_table: sa.Table

    def __repr__(self) -> str:
        return f"Store({safe(self.url)!r})"

    def _connect(self):  # type: ignore[no-untyped-def]
        return Guard(self, self.engine.connect)

    def _begin(self):  # type: ignore[no-untyped-def]
        return Guard(self, lambda: writing(self.engine))


class Guard:
    """A connection context that turns driver errors into one-sentence `StoreError`s."""

    def __init__(self, store: Connected, open_ctx: Any) -> None:
        self.store, self.open_ctx = store, open_ctx  # opened in __enter__, inside the guard

    def __enter__(self) -> sa.Connection:
        try:
            self.ctx = self.open_ctx()
            return self.ctx.__enter__()
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not use the database {self.store!r}: {why(exc)}") from None

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self.ctx.__exit__(*exc_info)
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not write to {self.store!r}: {why(exc)}") from None
        if isinstance(exc_info[1], DBAPIError):
            raise StoreError(f"Database error in {self.store!r}: {why(exc_info[1])}") from None


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a write transaction (SQLite takes its write lock at BEGIN: no deadlock
    between two readers that both want to write, which SQLite reports as "database is locked")."""
    with immediate(engine.connect()) as conn, conn.begin():
        yield conn


def why(exc: BaseException) -> str:
    """The first line of a driver error, as a sentence."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return text.rstrip(".") + "."
