"""Technique classification (TC): an MLP over pooled encoder states and hand features (numpy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from proplens.doc import Doc, Span
from proplens.encoder import Encoded, char_to_tokens
from proplens.stages.features import DocStats, span_features
from proplens.stages.lexical import LexicalModel
from proplens.stages.span_detector import CANDIDATES, softmax
from proplens.techniques import LABELS
from proplens.textutil import snap_to_graphemes

HEADS_FILE = "heads.safetensors"


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh approximation (the one the torch head is trained with)."""
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


def log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


class TechniqueClassifier:
    """Gives each span a probability for every technique.

    Args:
        weights: `fc1.weight`, `fc1.bias`, `fc2.weight`, `fc2.bias` as float32 arrays.
        labels: Technique names in the order of the output units.
        temperature: Softmax temperature fitted for calibration.
        second_threshold: A span gets a second technique when its probability reaches this.
        n_alternatives: How many runner-up techniques each span lists.
        lexical: An optional `LexicalModel` mixed in with weight `lexical_weight`.
        lexical_weight: Share of the lexical model's log-probabilities in the mix (0 = unused).
    """

    name = "technique_classifier"
    config_keys = ("labels", "temperature", "second_threshold", "n_alternatives", "lexical_weight")

    def to_config(self) -> dict[str, Any]:
        """The settings `from_disk` rebuilds this stage from (its part of config.json)."""
        cfg: dict[str, Any] = {
            "labels": list(self.labels),
            "temperature": self.temperature,
            "second_threshold": self.second_threshold,
            "n_alternatives": self.n_alternatives,
        }
        if self.lexical is not None:
            cfg["lexical_weight"] = self.lexical_weight
        return cfg

    def to_disk(self, folder: Path) -> None:
        """Write heads.safetensors (and the lexical model's files) into `folder`."""
        from safetensors.numpy import save_file

        weights = {
            "fc1.weight": np.ascontiguousarray(self.w1.T),
            "fc1.bias": self.b1,
            "fc2.weight": np.ascontiguousarray(self.w2.T),
            "fc2.bias": self.b2,
        }
        save_file(weights, str(Path(folder) / HEADS_FILE))
        if self.lexical is not None:
            self.lexical.to_disk(folder)

    def __init__(
        self,
        weights: dict[str, np.ndarray],
        labels: tuple[str, ...] = LABELS,
        temperature: float = 1.0,
        second_threshold: float = 1.01,
        n_alternatives: int = 3,
        lexical: LexicalModel | None = None,
        lexical_weight: float = 0.0,
    ):
        self.w1 = weights["fc1.weight"].T.astype(np.float32)
        self.b1 = weights["fc1.bias"].astype(np.float32)
        self.w2 = weights["fc2.weight"].T.astype(np.float32)
        self.b2 = weights["fc2.bias"].astype(np.float32)
        self.labels = tuple(labels)
        self.temperature = float(temperature)
        self.second_threshold = float(second_threshold)
        self.n_alternatives = int(n_alternatives)
        if lexical is None and lexical_weight > 0:
            raise ValueError(
                f"the config mixes in a lexical model (lexical_weight {lexical_weight}) but the "
                "folder has no lexical.json / lexical.safetensors"
            )
        self.lexical = lexical
        self.lexical_weight = float(lexical_weight)

    def logits(self, texts: list[str], encoded: list[Encoded], spans) -> list[np.ndarray]:
        """Uncalibrated logits for each `(start, end)` clean-offset span of each text."""
        rows = [
            self._inputs(text, enc, doc_spans)
            for text, enc, doc_spans in zip(texts, encoded, spans, strict=True)
        ]
        # One matrix product for the whole batch: many small BLAS calls cost more than the maths.
        filled = [r for r in rows if r is not None]
        if filled:
            y = gelu(np.concatenate(filled) @ self.w1 + self.b1) @ self.w2 + self.b2
            parts = iter(np.split(y, np.cumsum([len(r) for r in filled])[:-1]))
        return [
            np.zeros((len(s), len(self.labels)), np.float32) if r is None else next(parts)
            for r, s in zip(rows, spans, strict=True)
        ]

    def _inputs(self, text: str, enc: Encoded, doc_spans) -> np.ndarray | None:
        """The head's input rows: start, end and mean hidden state of each span, hand features
        (None when there are no spans or nothing was encoded: those spans get zero logits)."""
        if not doc_spans or len(enc.ids) == 0:
            return None
        stats = DocStats(text)
        n_feats = self.w1.shape[0] - 3 * enc.hidden.shape[1]  # older heads use fewer
        rows = []
        for start, end in doc_spans:
            toks = char_to_tokens(enc.offsets, start, end)
            if toks is None:  # a span over whitespace only: use the nearest token
                near = min(int(np.searchsorted(enc.offsets[:, 0], start)), len(enc.ids) - 1)
                toks = (near, near)
            ts, te = toks
            mean = enc.hidden[ts : te + 1].mean(0)
            feats = span_features(stats, start, end, te - ts + 1)[:n_feats]
            rows.append(np.concatenate([enc.hidden[ts], enc.hidden[te], mean, feats]))
        return np.stack(rows).astype(np.float32)

    def scores(self, texts: list[str], encoded: list[Encoded], spans) -> list[np.ndarray]:
        """Uncalibrated scores: the encoder head's logits, or with a lexical model the mix
        `(1 - w) * log_softmax(head) + w * log_softmax(lexical)`."""
        head = self.logits(texts, encoded, spans)
        w = self.lexical_weight
        if self.lexical is None or w == 0:
            return head
        lex = self.lexical.logits(texts, spans)
        return [
            (1 - w) * log_softmax(a) + w * log_softmax(b) for a, b in zip(head, lex, strict=True)
        ]

    def predict_docs(
        self,
        docs: list[Doc],
        texts: list[str],
        encoded: list[Encoded],
        offset_maps,
        group: str | None = CANDIDATES,
    ) -> list[np.ndarray]:
        """Calibrated technique probabilities for the spans each doc carries; pure.

        Args:
            docs: The docs, holding the spans to classify.
            texts: The clean texts the encoder saw, one per doc.
            encoded: Their encoder outputs.
            offset_maps: Per doc, the map from its clean text to `doc.text`.
            group: The span group to classify (the detector's `candidates`), or None for
                `doc.spans` (known spans, e.g. gold ones).
        Returns:
            Per doc, an array `(n_spans, n_labels)` in the order of the group's spans.
        """
        spans = [
            [clean_span(omap, s.start, s.end, text) for s in _group(doc, group)]
            for doc, text, omap in zip(docs, texts, offset_maps, strict=True)
        ]
        return [softmax(z / self.temperature) for z in self.scores(texts, encoded, spans)]

    def set_annotations(self, docs: list[Doc], preds: list[np.ndarray]) -> None:
        """Add a technique span for every span of each doc's `candidates` group (in order),
        widened to whole graphemes, with its technique, joint score and runner-ups.

        A span's score becomes P(span) x P(technique | span); a second technique is added as
        its own span when its probability reaches `second_threshold`.
        """
        for doc, probs in zip(docs, preds, strict=True):
            new: list[Span] = []
            for cand, p in zip(_group(doc, CANDIDATES), probs, strict=True):
                start, end = snap_to_graphemes(doc.text, cand.start, cand.end)
                text, score = doc.text[start:end], cand.score
                order = np.argsort(-p)
                alts = tuple(
                    (self.labels[k], round(float(score * p[k]), 4))
                    for k in order[1 : 1 + self.n_alternatives]
                )
                picks = [order[0]]
                if len(order) > 1 and p[order[1]] >= self.second_threshold:
                    picks.append(order[1])
                for k in picks:
                    alt = alts if k == order[0] else ()
                    new.append(Span(start, end, self.labels[k], float(score * p[k]), text, alt))
            doc.spans.extend(new)

    @classmethod
    def from_disk(cls, folder: Path, cfg: dict[str, Any]) -> TechniqueClassifier:
        from safetensors.numpy import load_file

        weights = load_file(str(Path(folder) / HEADS_FILE))
        return cls(
            weights,
            lexical=LexicalModel.from_disk(folder),
            **{k: cfg[k] for k in cls.config_keys if k in cfg},
        )


def _group(doc: Doc, group: str | None) -> list[Span]:
    return doc.spans if group is None else doc.span_groups.get(group, [])


def clean_span(omap: Any, start: int, end: int, text: str) -> tuple[int, int]:
    """The raw span `[start, end)` in clean offsets of `text` (strict alignment): the exact
    clean span for a detector candidate; a span over removed characters only (e.g. zero-width
    spaces) becomes the one clean character where they were."""
    mapped = omap.to_clean(start, end, alignment_mode="strict")
    if mapped is None:
        pos = min(int(np.searchsorted(omap.raw_index, start)), max(len(text) - 1, 0))
        return pos, min(pos + 1, len(text))
    return mapped


def assign_ranked(
    spans: list[tuple[int, int]], probs: np.ndarray, labels: tuple[str, ...]
) -> list[str]:
    """One technique per span row: the k-th repeat of the same span gets its k-th likeliest label.

    Args:
        spans: `(start, end)` rows in template order (repeats allowed).
        probs: `(len(spans), n_labels)` probabilities.
        labels: Technique names.
    Returns:
        The technique of each row, in order.
    """
    seen: dict[tuple[int, int], int] = {}
    out = []
    for key, p in zip(spans, probs, strict=True):
        k = seen.get(key, 0)
        seen[key] = k + 1
        out.append(labels[int(np.argsort(-p)[k % len(labels)])])
    return out
