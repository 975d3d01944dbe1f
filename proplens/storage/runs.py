"""Batch runs and attempts in the store: when a run started, ended or was killed, and which
articles were started without a result (so one that stops the process is known on the rerun)."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from proplens.doc import Doc
from proplens.storage.connections import Connected
from proplens.storage.migrations import utcnow
from proplens.storage.records import CHUNK, ModelId, clean

RUNNING, FINISHED, INTERRUPTED = "running", "finished", "interrupted"
STALE_HOURS = 6  # a run on another machine silent this long is taken as killed


class RunLog(Connected):
    """The `runs` and `attempts` tables of a `Store`."""

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, model: ModelId, params: dict[str, Any] | None = None) -> int:
        """Record the start of a batch run (on this host, in this process) and return its id."""
        now = utcnow()
        values: dict[str, Any] = dict(
            model_name=model.name, model_version=model.version, started=now
        )
        values.update(host=socket.gethostname()[:255], pid=os.getpid(), heartbeat=now)
        values.update(status=RUNNING, params=clean(json.dumps(params or {}, default=str)))
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
            for i in range(0, len(hashes), CHUNK):
                query = sa.select(t.c.content_hash, t.c.attempts).where(
                    t.c.content_hash.in_(hashes[i : i + CHUNK]),
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
                    values = dict(key, origin=clean(origin), attempts=1, run_id=run_id)
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
        for i in range(0, len(hashes), CHUNK):
            conn.execute(
                sa.delete(t).where(
                    t.c.content_hash.in_(hashes[i : i + CHUNK]),
                    t.c.model_name == model.name,
                    t.c.model_version == model.version,
                )
            )


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
