"""A lexical technique model: TF-IDF n-grams of a span and its paragraph, linear, in numpy.

Which words a span uses says a lot about its technique ("patriots" is Flag-Waving, "so-called" is
Doubt, a phrase used three times is Repetition). On PTC, a linear model over the span's words,
its character n-grams, the words of its paragraph and the hand features of `features.py` is
almost as accurate as the encoder's span head and makes different mistakes, so the technique
classifier mixes the two (see `TechniqueClassifier.scores`). It is fitted by
`proplens.training.lexical` (scikit-learn); inference here needs only numpy.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np

from proplens.stages.features import N_FEATURES, DocStats, span_features

LEXICAL_JSON = "lexical.json"
LEXICAL_WEIGHTS = "lexical.safetensors"
TOKEN = re.compile(r"\b\w\w+\b")
BLOCKS = ("words", "chars", "context")
CONTEXT_CHARS = 2000  # paragraph context read on each side of a span, at most


def word_terms(text: str) -> list[str]:
    """Lower-cased words of two or more characters, and their bigrams."""
    toks = TOKEN.findall(text.lower())
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


def char_terms(text: str) -> list[str]:
    """Character 2- to 5-grams inside each space-padded, lower-cased word."""
    out: list[str] = []
    for w in text.lower().split():
        w = f" {w} "
        for n in range(2, min(5, len(w)) + 1):
            out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


def context_terms(text: str) -> list[str]:
    """Lower-cased words of the paragraph around a span (the span itself excluded)."""
    return TOKEN.findall(text.lower())


def span_parts(stats: DocStats, start: int, end: int) -> tuple[str, str, np.ndarray]:
    """The span text, its paragraph without the span, and its hand features.

    The paragraph is cut `CONTEXT_CHARS` before and after the span, so that a text without line
    breaks costs each span a bounded amount of work rather than the whole text (which made
    analysis time quadratic); no PTC paragraph is that long (the longest has 1,009 characters).
    """
    text = stats.text
    frag = text[start:end]
    a = max(text.rfind("\n", max(0, start - CONTEXT_CHARS), start) + 1, start - CONTEXT_CHARS, 0)
    b = text.find("\n", end, end + CONTEXT_CHARS)
    b = min(len(text), end + CONTEXT_CHARS) if b < 0 else b
    context = f"{text[a:start]} {text[end:b]}"
    return frag, context, span_features(stats, start, end, max(1, len(frag.split())))


ANALYZERS = {"words": word_terms, "chars": char_terms, "context": context_terms}


class LexicalModel:
    """Technique logits from a span's n-grams (sublinear TF-IDF, L2 per block) and hand features.

    Args:
        vocab: Per block (`BLOCKS`), its terms in column order.
        idf: Per block, the inverse document frequency of each term.
        block_weights: Per block, the factor its L2-normalised vector is scaled by.
        coef: `(n_terms_total + n_features, n_labels)` weights, blocks in `BLOCKS` order.
        intercept: `(n_labels,)`.
        n_features: How many of the hand features (`span_features`, first ones first) it uses;
            models saved before there were 16 use 14.
    """

    def __init__(
        self,
        vocab: dict[str, list[str]],
        idf: dict[str, np.ndarray],
        block_weights: dict[str, float],
        coef: np.ndarray,
        intercept: np.ndarray,
        n_features: int = N_FEATURES,
    ):
        self.block_weights = {b: float(block_weights[b]) for b in BLOCKS}
        self.vocab = {b: list(vocab[b]) for b in BLOCKS}
        self.idf = {b: np.asarray(idf[b], np.float32) for b in BLOCKS}
        self.index: dict[str, dict[str, int]] = {}
        offset = 0
        self.offsets: dict[str, int] = {}
        for b in BLOCKS:
            self.offsets[b] = offset
            self.index[b] = {t: i for i, t in enumerate(self.vocab[b])}
            offset += len(self.vocab[b])
        self.n_terms = offset
        self.coef = np.asarray(coef, np.float32)
        self.intercept = np.asarray(intercept, np.float32)
        self.n_features = int(n_features)
        if not 0 <= self.n_features <= N_FEATURES:
            raise ValueError(
                f"The lexical model asks for {self.n_features} hand features but this version "
                f"of proplens computes {N_FEATURES}; upgrade proplens to load it."
            )
        if self.coef.shape[0] != self.n_terms + self.n_features:
            raise ValueError(
                f"The lexical model has {self.coef.shape[0]} weight rows but its vocabulary and "
                f"features need {self.n_terms + self.n_features}; its files do not belong together."
            )

    def block_vector(self, block: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of one block's TF-IDF vector for `text`."""
        index = self.index[block]
        counts = Counter(t for t in ANALYZERS[block](text) if t in index)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        cols = np.fromiter((index[t] for t in counts), np.int64, len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), np.float32, len(counts))
        vals = tf * self.idf[block][cols]
        vals *= self.block_weights[block] / max(float(np.linalg.norm(vals)), 1e-12)
        return cols + self.offsets[block], vals

    def logits(self, texts: list[str], spans) -> list[np.ndarray]:
        """Logits for each `(start, end)` span (clean offsets) of each normalised text; pure."""
        n_labels = len(self.intercept)
        out = []
        for text, doc_spans in zip(texts, spans, strict=True):
            z = np.zeros((len(doc_spans), n_labels), np.float32)
            stats = DocStats(text) if doc_spans else None
            for row, (start, end) in enumerate(doc_spans):
                assert stats is not None  # set whenever doc_spans is non-empty
                frag, context, feats = span_parts(stats, start, end)
                z[row] = self.intercept + feats[: self.n_features] @ self.coef[self.n_terms :]
                for block, part in zip(BLOCKS, (frag, frag, context), strict=True):
                    cols, vals = self.block_vector(block, part)
                    z[row] += vals @ self.coef[cols]
            out.append(z)
        return out

    def to_disk(self, folder: str | Path) -> None:
        from safetensors.numpy import save_file

        folder = Path(folder)
        meta = {
            "format": 1,
            "blocks": list(BLOCKS),
            "block_weights": self.block_weights,
            "n_features": self.n_features,
        }
        (folder / LEXICAL_JSON).write_text(
            json.dumps({**meta, "vocab": self.vocab}, ensure_ascii=False), encoding="utf-8"
        )
        tensors = {f"idf.{b}": self.idf[b] for b in BLOCKS}
        tensors["coef"] = self.coef.astype(np.float16)
        tensors["intercept"] = self.intercept
        save_file(tensors, str(folder / LEXICAL_WEIGHTS))
        (folder / LEXICAL_WEIGHTS).chmod(0o644)  # safetensors writes 0600; others must read it

    @classmethod
    def from_disk(cls, folder: str | Path) -> LexicalModel | None:
        """The lexical model saved in `folder`, or None when the folder has none."""
        folder = Path(folder)
        if not (folder / LEXICAL_JSON).is_file():
            return None
        from safetensors.numpy import load_file

        meta = json.loads((folder / LEXICAL_JSON).read_text(encoding="utf-8"))
        t = load_file(str(folder / LEXICAL_WEIGHTS))
        return cls(
            meta["vocab"],
            {b: t[f"idf.{b}"] for b in BLOCKS},
            meta["block_weights"],
            t["coef"].astype(np.float32),
            t["intercept"],
            meta.get("n_features", 14),
        )
