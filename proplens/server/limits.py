"""Bounded work: a cap on concurrent analyses with a bounded queue, time limits, cancellation
when the client goes away, PDF parsing in a process that can be killed, header timeouts."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from proplens.cancel import Cancel, Cancelled, cancellable

POLL_SECONDS = 0.1  # how often a waiting request checks its client and its deadline


class Refused(Exception):
    """A request the server will not serve now: an HTTP status, a sentence, extra headers."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


class Ticket:
    """A request's place at the gate: held by the request and by each thread it started, and
    given back when the last of them lets go."""

    def __init__(self, gate: AnalysisGate, cancel: Cancel) -> None:
        self.gate, self.cancel, self.holders = gate, cancel, 1

    def hold(self) -> None:
        self.holders += 1

    def release(self) -> None:
        self.holders -= 1
        if self.holders == 0:
            self.gate.admitted -= 1


class AnalysisGate:
    """At most `running` analyses at once, at most `waiting` more queued; others get 503.

    Each analysis runs in a thread of a pool of `running` threads, off the event loop. A
    request keeps its place until its threads end, so one that timed out or whose client left
    holds it until the analysis has really stopped: memory and CPU stay bounded.

    Args:
        running: Analyses that may run at the same time.
        waiting: Requests that may wait for a free slot; beyond it the answer is 503.
        seconds: Time limit of one request, from its arrival (queue time included).
    """

    def __init__(self, running: int, waiting: int, seconds: float) -> None:
        self.running, self.waiting, self.seconds = running, waiting, seconds
        self.admitted = 0  # requests holding a place: queued or running
        self.free = asyncio.Semaphore(running)
        self.pool = ThreadPoolExecutor(running, thread_name_prefix="proplens-analysis")

    def admit(self) -> Ticket:
        """Take a place, or raise `Refused` (503 with Retry-After) when every place is taken.

        The caller must `release()` the ticket when it is done with the request.
        """
        if self.admitted >= self.running + self.waiting:
            raise Refused(
                503,
                f"The server is busy: {self.running} analyses are running and {self.waiting} "
                "are waiting, its limit. Try again in a few seconds.",
                {"Retry-After": "5"},
            )
        self.admitted += 1
        return Ticket(self, Cancel(deadline=time.monotonic() + self.seconds))

    async def run(
        self, fn: Callable[..., Any], *args: Any, ticket: Ticket, disconnected: Any
    ) -> Any:
        """Run `fn(*args)` in a worker thread once a slot is free.

        Args:
            ticket: The request's place (from `admit`), with its stop signal.
            disconnected: `request.is_disconnected`, polled while waiting.
        Raises:
            Refused: The time limit passed (503), or the client went away (499, never sent).
        """
        token = ticket.cancel
        await self._acquire(token, disconnected)
        ticket.hold()
        future = asyncio.get_running_loop().run_in_executor(self.pool, _call, fn, args, token)

        def finished(_: Any) -> None:
            self.free.release()
            ticket.release()

        future.add_done_callback(finished)
        while True:
            await asyncio.wait({future}, timeout=POLL_SECONDS)
            if future.done():
                try:
                    return future.result()
                except Cancelled:
                    raise self._why_stopped(token) from None
            await self._stop_if_needed(token, disconnected)

    async def _acquire(self, token: Cancel, disconnected: Callable[[], Any]) -> None:
        # Polled rather than awaited with a timeout: a cancelled `acquire` could lose a wake-up.
        while self.free.locked():
            await asyncio.sleep(POLL_SECONDS)
            await self._stop_if_needed(token, disconnected)
        await self.free.acquire()  # free now: returns at once (one thread runs the event loop)

    async def _stop_if_needed(self, token: Cancel, disconnected: Callable[[], Any]) -> None:
        if not token.cancelled and await disconnected():
            token.cancel("the client went away")
        if token.cancelled:
            raise self._why_stopped(token)

    def _why_stopped(self, token: Cancel) -> Refused:
        if token.reason == "the client went away":
            return Refused(499, "The client closed the connection before the answer was ready.")
        return Refused(
            503,
            f"The analysis took longer than this server's limit of {self.seconds:g} seconds; "
            "send a shorter article, or start the server with a larger `--timeout`.",
        )

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _call(fn: Callable[..., Any], args: tuple, token: Cancel) -> Any:
    with cancellable(token):
        if token.cancelled:  # cancelled while it waited for this thread: do not start
            raise Cancelled(token.reason)
        return fn(*args)


def _parse_child(conn: Any, data: bytes, name: str) -> None:
    from proplens.ingest import docs_from_bytes

    try:
        conn.send(("ok", docs_from_bytes(data, name, [])))
    except Exception as exc:  # noqa: BLE001 - sent back to the parent as text
        conn.send(("error", str(exc)))
    finally:
        conn.close()


def parse_isolated(data: bytes, name: str, seconds: float) -> list[Any]:
    """`docs_from_bytes(data, name)` in a child process killed after `seconds`.

    A damaged PDF can keep the parser busy for a minute; a thread cannot be stopped, a process
    can. Used by the server for PDF uploads.

    Raises:
        IngestError: The file could not be read, or parsing took longer than `seconds`.
    """
    from proplens.errors import IngestError

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_parse_child, args=(child, data, name), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise IngestError(
                f"Reading {name} took longer than {seconds:g} seconds, so it was stopped; the "
                "file may be damaged. Re-export it, or send its text instead."
            )
        status, value = parent.recv()
    except EOFError:
        raise IngestError(
            f"The reader stopped while reading {name}; the file may be damaged."
        ) from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        parent.close()
    if status == "error":
        raise IngestError(value)
    return value


def header_timeout_protocol(seconds: float) -> type:
    """uvicorn's h11 protocol, closing a connection that has not sent a whole request header
    within `seconds` of opening (or of its previous answer), so half-sent requests cannot hold
    every file descriptor of the server."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutH11(H11Protocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            timer = getattr(self, "_header_timer", None)
            if timer is not None:
                timer.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            timer = getattr(self, "_header_timer", None)
            if timer is not None:
                timer.cancel()
            self._header_timer = self.loop.call_later(seconds, self._header_timeout)

        def _header_timeout(self) -> None:
            waiting = self.cycle is None or self.cycle.response_complete
            if waiting and not self.transport.is_closing():
                self.transport.close()

    return HeaderTimeoutH11
