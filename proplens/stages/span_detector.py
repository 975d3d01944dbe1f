"""Span identification (SI): decode per-token BIO probabilities into character spans."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from proplens.doc import Doc
from proplens.encoder import Encoded
from proplens.stages.crf import crf_marginals
from proplens.stages.features import STOP, has_content_word

# The span group the detector writes its candidates into, and the classifier reads.
CANDIDATES = "candidates"
# PTC v2 spans never start or end with these characters.
TRIM = " \t\r\n.,:;"
LEAD_TRIM = TRIM + "?!)]”"  # gold spans never start on the end of a sentence or quote
TAIL_TRIM = TRIM + "“(["  # ... nor end on an opening quote or bracket
CRF_KEYS = ("transitions", "start", "end")
WORDS = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True)
class Candidate:
    """A detected span on the normalised text.

    Args:
        start: Clean char offset of the first character.
        end: Clean char offset one past the last character.
        tok_start: First word piece (inclusive).
        tok_end: Last word piece (inclusive).
        score: Calibrated probability that the span is propaganda.
    """

    start: int
    end: int
    tok_start: int
    tok_end: int
    score: float


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    z = x - x.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _is_word(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isalnum()


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `[start, end)` to whole words, then trim spaces and `.,:;` at both ends, closing
    marks (`?!)]”`) at the start and opening ones (`“([`) at the end."""
    while start > 0 and _is_word(text, start - 1) and _is_word(text, start):
        start -= 1
    while end < len(text) and _is_word(text, end - 1) and _is_word(text, end):
        end += 1
    while start < end and text[start] in LEAD_TRIM:
        start += 1
    while end > start and text[end - 1] in TAIL_TRIM:
        end -= 1
    return start, end


def trim_stop_end(text: str, start: int, end: int) -> int:
    """The end of `[start, end)` without its trailing stop words ("…hope for an" → "…hope"),
    keeping at least one word; `end` itself when the span ends on a content word."""
    words = list(WORDS.finditer(text, start, end))
    if len(words) < 2 or words[-1].group().lower() not in STOP:
        return end
    while len(words) > 1 and words[-1].group().lower() in STOP:
        words.pop()
    end = words[-1].end()
    while end > start and text[end - 1] in TRIM:
        end -= 1
    return end


def inside_mask(
    p_inside: np.ndarray,
    threshold: float,
    low: float | None = None,
    sentence: np.ndarray | None = None,
) -> np.ndarray:
    """Which tokens are inside a span.

    Without `low`, every token with P(inside) > `threshold`. With `low` (hysteresis), every run
    of tokens with P(inside) > `low` that holds at least one token above `threshold`: a span
    needs one confident token, then extends over its less confident neighbours. With
    `sentence` (each token's sentence index), a span extends only within its own sentence.
    """
    strong = p_inside > threshold
    if low is None or low >= threshold:
        return strong
    weak = p_inside > low
    # Label the runs of weak tokens and keep those containing a strong token.
    starts = weak & ~np.concatenate([[False], weak[:-1]])
    if sentence is not None:
        starts |= weak & np.concatenate([[True], sentence[1:] != sentence[:-1]])
    run = np.cumsum(starts) * weak
    keep = np.zeros(int(run.max()) + 1, bool)
    keep[run[strong]] = True
    keep[0] = False
    return keep[run]


def token_sentences(text: str, offsets: np.ndarray) -> np.ndarray:
    """The index of the sentence (`proplens.sentences.split_sentences`) each token starts in."""
    from proplens.sentences import split_sentences

    starts = np.array([s for s, _ in split_sentences(text)[1:]], dtype=np.int64)
    return np.searchsorted(starts, offsets[:, 0], side="right").astype(np.int64)


def _crf_arrays(crf: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    try:
        arrays = tuple(np.asarray(crf[k], dtype=float) for k in CRF_KEYS)
    except (KeyError, TypeError, ValueError):
        arrays = ()
    shapes_ok = tuple(a.shape for a in arrays) == ((3, 3), (3,), (3,))
    if not shapes_ok or not all(np.isfinite(a).all() for a in arrays):
        raise ValueError(
            "The span detector's `crf` setting must hold a 3 × 3 `transitions` list and "
            "3-number `start` and `end` lists of finite numbers, as `proplens train --crf` "
            "writes them."
        )
    transitions, start, end = arrays  # three, as shapes_ok checked
    return transitions, start, end


class SpanDetector:
    """Finds propaganda spans from the shared encoder's BIO logits.

    Args:
        token_threshold: A token is inside a span when P(B) + P(I) exceeds this.
        split_on_b: Start a new span inside a run where P(B) > P(I) (else one span per run).
        calibration: Platt parameters `(a, b)`: score = sigmoid(a * logit(mean P(inside)) + b).
        require_content_word: Drop spans with no content word (only stop words or punctuation).
        low_threshold: With a value below `token_threshold`, spans grow from tokens above
            `token_threshold` over neighbouring tokens above `low_threshold` (hysteresis);
            None keeps the single threshold.
        crf: Transition scores `{"transitions", "start", "end"}` of a model trained as a
            linear-chain CRF (`proplens train --crf`); the tag probabilities are then the CRF's
            marginals instead of each token's softmax.
        trim_stop_end: Cut trailing stop words off each span (gold spans rarely end on one).
        sentence_bound: A span does not grow across a sentence end over less confident
            tokens: it crosses only where the tokens on both sides are above `token_threshold`.
    """

    name = "span_detector"
    config_keys = (
        "token_threshold",
        "calibration",
        "split_on_b",
        "require_content_word",
        "low_threshold",
        "crf",
        "trim_stop_end",
        "sentence_bound",
    )

    def to_config(self) -> dict[str, Any]:
        """The settings `from_config` rebuilds this stage from (its part of config.json)."""
        return {
            "token_threshold": self.token_threshold,
            "low_threshold": self.low_threshold,
            "calibration": list(self.calibration),
            "split_on_b": self.split_on_b,
            "require_content_word": self.require_content_word,
            "crf": self.crf,
            "trim_stop_end": self.trim_stop_end,
            "sentence_bound": self.sentence_bound,
        }

    def to_disk(self, folder: Path) -> None:
        """The span detector has no files: its settings are all in config.json."""

    @classmethod
    def from_disk(cls, folder: Path, cfg: dict[str, Any]) -> SpanDetector:
        """The stage from its part of config.json (the folder holds nothing else for it)."""
        return cls.from_config(cfg)

    def __init__(
        self,
        token_threshold: float = 0.5,
        calibration: tuple[float, float] = (1.0, 0.0),
        split_on_b: bool = True,
        require_content_word: bool = True,
        low_threshold: float | None = None,
        crf: dict[str, Any] | None = None,
        trim_stop_end: bool = False,
        sentence_bound: bool = False,
    ):
        self.token_threshold = float(token_threshold)
        self.low_threshold = None if low_threshold is None else float(low_threshold)
        self.require_content_word = bool(require_content_word)
        self.split_on_b = bool(split_on_b)
        self.calibration = (float(calibration[0]), float(calibration[1]))
        self.crf = crf
        self._crf = None if crf is None else _crf_arrays(crf)
        self.trim_stop_end = bool(trim_stop_end)
        self.sentence_bound = bool(sentence_bound)

    def calibrate(self, raw: float) -> float:
        p = min(max(raw, 1e-6), 1 - 1e-6)
        a, b = self.calibration
        return 1.0 / (1.0 + math.exp(-(a * math.log(p / (1 - p)) + b)))

    def tag_probs(self, tag_logits: np.ndarray) -> np.ndarray:
        """P(O), P(B), P(I) of each token: the CRF's marginals, or each token's softmax."""
        if self._crf is None:
            return softmax(tag_logits)
        return crf_marginals(tag_logits, *self._crf)

    def predict(self, texts: list[str], encoded: list[Encoded]) -> list[list[Candidate]]:
        """Decode spans on each normalised text; modifies nothing.

        Args:
            texts: The normalised texts the encoder saw.
            encoded: Their encoder outputs.
        Returns:
            For each text, its candidate spans in clean offsets.
        """
        return [self._decode(t, e) for t, e in zip(texts, encoded, strict=True)]

    def _decode(self, text: str, enc: Encoded) -> list[Candidate]:
        if len(enc.ids) == 0:
            return []
        p = self.tag_probs(enc.tag_logits)
        p_in = p[:, 1] + p[:, 2]
        sent = token_sentences(text, enc.offsets) if self.sentence_bound else None
        inside = inside_mask(p_in, self.token_threshold, self.low_threshold, sent)
        # A new sentence ends a span unless the tokens on both sides are confident.
        cut = np.zeros(len(inside), bool)
        if sent is not None and len(sent) > 1:
            strong = p_in > self.token_threshold
            cut[1:] = (sent[1:] != sent[:-1]) & ~(strong[1:] & strong[:-1])
        regions = []
        t, n = 0, len(inside)
        while t < n:
            if not inside[t]:
                t += 1
                continue
            s = t
            t += 1
            while (
                t < n and inside[t] and not cut[t] and not (self.split_on_b and p[t, 1] > p[t, 2])
            ):
                t += 1
            regions.append((s, t - 1))
        out = []
        for ts, te in regions:
            start, end = snap(text, int(enc.offsets[ts, 0]), int(enc.offsets[te, 1]))
            if self.trim_stop_end and end > start:
                end = trim_stop_end(text, start, end)
                while te > ts and enc.offsets[te, 0] >= end:
                    te -= 1
            if end <= start:
                continue
            if self.require_content_word and not has_content_word(text[start:end]):
                continue
            raw = float(np.mean(p[ts : te + 1, 1] + p[ts : te + 1, 2]))
            out.append(Candidate(start, end, ts, te, self.calibrate(raw)))
        return out

    def set_annotations(self, docs: list[Doc], preds: list[list[Candidate]], offset_maps) -> None:
        """Write each doc's candidates into its span group `CANDIDATES` (replacing what it held)
        as spans without technique, for the technique classifier to read.

        Args:
            docs: The docs, in the order of `preds`.
            preds: `predict`'s candidates per doc, in clean offsets.
            offset_maps: Per doc, the map from the clean text the encoder saw to `doc.text`.

        A candidate's raw span is exactly the source of its clean characters
        (`OffsetMap.to_raw`), so the classifier maps it back to the same clean offsets; the
        final technique spans are widened to whole graphemes.
        """
        for doc, cands, omap in zip(docs, preds, offset_maps, strict=True):
            doc.span_groups[CANDIDATES] = []
            for c in cands:
                start, end = omap.to_raw(c.start, c.end)
                doc.add_span(start, end, None, c.score, group=CANDIDATES)

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> SpanDetector:
        return cls(
            cfg.get("token_threshold", 0.5),
            tuple(cfg.get("calibration", (1.0, 0.0))),
            cfg.get("split_on_b", True),
            cfg.get("require_content_word", True),
            cfg.get("low_threshold"),
            cfg.get("crf"),
            cfg.get("trim_stop_end", False),
            cfg.get("sentence_bound", False),
        )
