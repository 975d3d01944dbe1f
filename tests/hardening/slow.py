"""A stand-in model that works for a fixed time in small steps, checking for cancellation."""

from __future__ import annotations

import time

from proplens.cancel import Cancelled, check
from proplens.doc import Doc


class SlowPipeline:
    """Takes `seconds` per article in 20 ms steps; records when each analysis ended and how."""

    name, version = "slow-fake", "1"

    def __init__(self, seconds: float = 3.0) -> None:
        self.seconds, self.ended = seconds, []

    def __call__(self, doc: Doc) -> Doc:
        end = time.monotonic() + self.seconds
        try:
            while time.monotonic() < end:
                check()
                time.sleep(0.02)
        except Cancelled:
            self.ended.append(("cancelled", time.monotonic()))
            raise
        self.ended.append(("finished", time.monotonic()))
        return doc.copy(with_spans=False)
