"""The real pipeline on hostile text: spans are valid views of the input and never split a
grapheme cluster (a base character and its combining marks, ZWJ emoji sequences, skin tones).

Runs with the shipped default model, or the model folder in `PROPLENS_TEST_MODEL`; skipped when
neither exists.
"""

from __future__ import annotations

import os
import time
import unicodedata
from pathlib import Path

import pytest

from tests.hardening.catalogue import MIXED_EOL, UNICODE

pytestmark = pytest.mark.timeout(120)

HOSTILE = (
    "The cafe\u0301 owners are trai\u0301tors and liars! 👨‍👩‍👧 families weep. "
    "Ame\u0301lie said na\u0131\u0308vely that क्षत्रिय rule. 👍🏽 🇩🇪🇫🇷 flags fly.\r\n"
    "Everyone knows these cowardly traitors destroy our great nation. "
) * 3


@pytest.fixture(scope="module")
def nlp():
    from proplens.pipeline import DEFAULT_MODEL

    path = Path(os.environ.get("PROPLENS_TEST_MODEL", DEFAULT_MODEL))
    if not (path / "model.onnx").is_file():
        pytest.skip(f"no model at {path} (build the default model or set PROPLENS_TEST_MODEL)")
    import proplens

    return proplens.load(path, threshold=0.0)


def splits_cluster(text: str, pos: int) -> bool:
    """True when `pos` falls inside a grapheme cluster of `text`."""
    if not 0 < pos < len(text):
        return False
    here, before = text[pos], text[pos - 1]
    return (
        unicodedata.category(here).startswith("M")  # combining, spacing or enclosing mark
        or here in "\u200d\ufe0f"
        or "\U0001f3fb" <= here <= "\U0001f3ff"  # skin-tone modifier
        or before == "\u200d"
        or (before == "\r" and here == "\n")
    )


@pytest.mark.parametrize("text", [HOSTILE, UNICODE * 3, MIXED_EOL * 3], ids=["mixed", "rtl", "eol"])
def test_pipeline_spans_never_split_a_grapheme_cluster(nlp, text):
    doc = nlp(text)
    assert doc.text == text
    bad = [
        (s.start, s.end, text[s.start : s.end])
        for s in doc.spans
        if splits_cluster(text, s.start) or splits_cluster(text, s.end)
    ]
    assert not bad, bad[:5]
    assert all(s.text == text[s.start : s.end] and s.text.strip() for s in doc.spans)


def per_span_seconds(func, length: int) -> float:
    """CPU seconds for 300 spans, the best of three runs (steady on a busy machine)."""
    text = (HOSTILE * (length // len(HOSTILE) + 1))[:length]
    best = float("inf")
    for _ in range(3):
        setup = func(text)  # afresh, so no run profits from another's remembered answers
        started = time.process_time()
        for k in range(300):
            s = (k * 7919) % (length - 40)
            setup(s, s + 30)
        best = min(best, time.process_time() - started)
    return best


def features_on(text):
    from proplens.stages.features import DocStats, span_features

    stats = DocStats(text)
    return lambda s, e: span_features(stats, s, e, 8)


def tokens_on(text):
    import numpy as np

    from proplens.encoder import char_to_tokens

    starts = np.arange(0, len(text) - 4, 4, dtype=np.int64)
    offsets = np.stack([starts, starts + 3], axis=1)
    return lambda s, e: char_to_tokens(offsets, s, e)


@pytest.mark.parametrize("func", [features_on, tokens_on], ids=["span_features", "char_to_tokens"])
def test_per_span_cost_does_not_grow_with_article_length(func):
    """Each candidate span is handled in time independent of the article's length; a per-span
    scan of the whole text makes analysis quadratic (1 MB took 135 s)."""
    small, big = per_span_seconds(func, 200_000), per_span_seconds(func, 1_600_000)
    assert big < 3 * small + 0.02, (small, big)
