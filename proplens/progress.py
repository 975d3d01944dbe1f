"""Progress bars for commands that run longer than a few seconds (predict, classify, evaluate).

Drawn with rich on standard error, and only when standard error is a terminal, so piped output
and logs stay clean; `PROPLENS_PROGRESS=0` turns them off, `=1` forces them on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def enabled() -> bool:
    """Whether to draw progress bars (see the module docstring)."""
    forced = os.environ.get("PROPLENS_PROGRESS")
    if forced in ("0", "1"):
        return forced == "1"
    return sys.stderr.isatty()


@contextmanager
def progress_bar(total: int, label: str, unit: str = "articles") -> Iterator[Callable[[int], None]]:
    """A bar for `total` items; yields `advance(n)`, to call as items finish.

    Example:
        >>> with progress_bar(2, "Analysing") as advance:
        ...     advance(2)
    """
    if not enabled() or total <= 0:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    forced = os.environ.get("PROPLENS_PROGRESS") == "1"
    console = Console(stderr=True, force_terminal=True if forced else None)
    # No redirection: rich would otherwise move what the command prints on stdout to stderr.
    with Progress(
        *columns, console=console, transient=False, redirect_stdout=False, redirect_stderr=False
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
