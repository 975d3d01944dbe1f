"""Time-stamped progress lines on standard error (long runs: training, labelling)."""

from __future__ import annotations

import sys
import time


def log(msg: str) -> None:
    """Print `[HH:MM:SS] msg` to standard error at once."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
