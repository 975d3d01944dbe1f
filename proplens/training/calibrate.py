"""Fit score calibration on held-out training articles: Platt for spans, TC temperature."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from proplens.doc import Doc
from proplens.scoring import merge_intervals


def fit_platt(scores, targets, iters: int = 2000, lr: float = 0.5) -> tuple[float, float]:
    """Fit `sigmoid(a * logit(score) + b)` to soft targets in [0, 1] by gradient descent on BCE."""
    p = np.clip(np.asarray(scores, float), 1e-6, 1 - 1e-6)
    y = np.asarray(targets, float)
    if len(p) < 5:
        return 1.0, 0.0
    x = np.log(p / (1 - p))
    a, b = 1.0, 0.0
    for _ in range(iters):
        q = 1 / (1 + np.exp(-(a * x + b)))
        a -= lr * float(np.mean((q - y) * x))
        b -= lr * float(np.mean(q - y))
    return round(a, 4), round(b, 4)


def fit_temperature(logits: list[np.ndarray], targets: list[np.ndarray]) -> float:
    """The softmax temperature minimising the NLL of soft (multi-label normalised) targets."""
    z = np.concatenate(logits) if logits else np.zeros((0, 1))
    t = np.concatenate(targets) if targets else np.zeros((0, 1))
    if len(z) < 5:
        return 1.0
    t = t / np.maximum(t.sum(-1, keepdims=True), 1e-9)
    best, best_nll = 1.0, np.inf
    for temp in np.arange(0.3, 4.01, 0.05):
        s = z / temp
        logp = s - s.max(-1, keepdims=True)
        logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
        nll = float(-(t * logp).sum(-1).mean())
        if nll < best_nll:
            best, best_nll = float(temp), nll
    return round(best, 3)


def calibrate(folder: str | Path, hold: list[Doc]) -> dict:
    """Fit calibration on `hold` with the model in `folder`; return the new config (unwritten)."""
    from proplens.evaluation import Evaluation, covered_share
    from proplens.pipeline import load

    folder = Path(folder)
    cfg = json.loads((folder / "config.json").read_text())
    pipe = load(folder, threads=2)
    pipe.detector.calibration = (1.0, 0.0)
    ev = Evaluation(pipe, hold)
    xs, ys = [], []
    for g, cands in zip(hold, ev.candidates(), strict=True):
        merged = merge_intervals([(s.start, s.end) for s in g.spans])
        for s, e, score in cands:
            xs.append(score)
            ys.append(covered_share(s, e, merged))
    cfg["span_detector"]["calibration"] = list(fit_platt(xs, ys))
    labels = tuple(pipe.classifier.labels)
    targets = [gold_targets(g, labels) for g in hold]
    cfg["technique_classifier"]["temperature"] = fit_temperature(ev.gold_logits(), targets)
    return cfg


def gold_targets(doc: Doc, labels: tuple[str, ...]) -> np.ndarray:
    """Multi-hot techniques of each span row of `doc`: every technique on the same offsets."""
    at: dict[tuple[int, int], set[str | None]] = {}
    for s in doc.spans:
        at.setdefault((s.start, s.end), set()).add(s.technique)
    tgt = np.zeros((len(doc.spans), len(labels)))
    for i, s in enumerate(doc.spans):
        for tech in at[(s.start, s.end)]:
            if tech in labels:
                tgt[i, labels.index(tech)] = 1.0
    return tgt
