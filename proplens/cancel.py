"""Cooperative cancellation of an analysis running in a worker thread.

The server runs each analysis in a thread, which Python cannot stop from outside. The thread
registers a `Cancel` for itself; the pipeline calls `check()` between the bounded pieces of
work it does (text segments), so an analysis stops soon after its client went away or its
time ran out, and its memory is freed.

Example:
    >>> token = Cancel(deadline=None)
    >>> with cancellable(token):
    ...     check()  # nothing happens: not cancelled
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from proplens.errors import ProplensError

_LOCAL = threading.local()


class Cancelled(ProplensError):
    """Raised inside an analysis whose `Cancel` was set or whose deadline passed."""


class Cancel:
    """A stop signal for one analysis: set by hand (`cancel`) or by a deadline (monotonic s)."""

    def __init__(self, deadline: float | None = None) -> None:
        self.deadline, self.event, self.reason = deadline, threading.Event(), ""
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self, reason: str) -> None:
        with self._lock:
            self.reason = self.reason or reason
            self.event.set()
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            fn()

    def on_cancel(self, fn: Callable[[], None]) -> None:
        """Call `fn` when this is cancelled (at once if it already is), e.g. to abort a model
        call in flight."""
        with self._lock:
            if not self.event.is_set():
                self._callbacks.append(fn)
                return
        fn()

    @property
    def cancelled(self) -> bool:
        if not self.event.is_set() and self.deadline is not None:
            if time.monotonic() > self.deadline:
                self.cancel("the time limit passed")
        return self.event.is_set()


@contextmanager
def cancellable(token: Cancel) -> Iterator[Cancel]:
    """Make `token` the current thread's stop signal for the duration of the block."""
    previous = getattr(_LOCAL, "token", None)
    _LOCAL.token = token
    try:
        yield token
    finally:
        _LOCAL.token = previous


def current() -> Cancel | None:
    """The current thread's stop signal, or None outside `cancellable`."""
    return getattr(_LOCAL, "token", None)


def check() -> None:
    """Raise `Cancelled` when the current thread's analysis was cancelled; else do nothing."""
    token = getattr(_LOCAL, "token", None)
    if token is not None and token.cancelled:
        raise Cancelled(f"The analysis was stopped: {token.reason}.")
