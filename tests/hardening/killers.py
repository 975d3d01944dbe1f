"""A stand-in model that kills its own process on one article, as the out-of-memory killer would.

Select it with `--model tests.hardening.killers:KillingPipeline` (repository root on `sys.path`).
"""

from __future__ import annotations

import os
import signal

from proplens.doc import Doc
from tests.fakes import KeywordPipeline

KILL_WORD = "KILLME"


class KillingPipeline(KeywordPipeline):
    """`KeywordPipeline` that SIGKILLs its process on any text containing `KILL_WORD`."""

    def __call__(self, text_or_doc: str | Doc) -> Doc:
        doc = text_or_doc if isinstance(text_or_doc, Doc) else Doc(text_or_doc)
        if KILL_WORD in doc.text:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__call__(doc)
