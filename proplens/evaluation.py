"""Score a pipeline on gold docs: SI, TC and FLC with the project's scorers, plus calibration."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import islice

import numpy as np

from proplens.doc import Doc
from proplens.pipeline import Pipeline
from proplens.scoring import merge_intervals, score_flc, score_si, score_tc
from proplens.stages.technique_classifier import assign_ranked, clean_span


def ece(confidence, outcome, bins: int = 10) -> float:
    """Expected calibration error: bin-weighted |mean confidence - mean outcome|."""
    conf = np.asarray(confidence, float)
    out = np.asarray(outcome, float)
    if len(conf) == 0:
        return 0.0
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += sel.mean() * abs(conf[sel].mean() - out[sel].mean())
    return float(total)


def covered_share(start: int, end: int, gold: list[tuple[int, int]]) -> float:
    """Share of `[start, end)` covered by the (merged) gold intervals."""
    inter = sum(max(0, min(end, e) - max(start, s)) for s, e in gold)
    return inter / max(end - start, 1)


class Evaluation:
    """Encodes the gold docs once, then decodes and scores as often as needed (for tuning).

    Args:
        pipeline: The loaded model.
        gold: Docs with gold spans.
        batch_size: Docs per encoder call.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        gold: list[Doc],
        batch_size: int = 8,
        progress: Callable[[int], None] | None = None,
    ):
        self.pipeline = pipeline
        self.gold = gold
        it = iter(gold)
        self.batches = []
        while batch := list(islice(it, batch_size)):
            self.batches.append((batch, *pipeline._prepare(batch)))
            if progress:
                progress(len(batch))

    def predict(self) -> list[Doc]:
        """End-to-end predictions with the pipeline's current settings."""
        return [d for b in self.batches for d in self.pipeline._decode(*b)]

    def candidates(self) -> list[list[tuple[int, int, float]]]:
        """SI candidates per doc as raw `(start, end, score)`, before technique classification."""
        out = []
        for _docs, texts, maps, enc in self.batches:
            for cands, omap in zip(self.pipeline.detector.predict(texts, enc), maps, strict=True):
                out.append([(*omap.to_raw(c.start, c.end), c.score) for c in cands])
        return out

    def gold_logits(self, part: str = "scores") -> list[np.ndarray]:
        """Uncalibrated technique scores on each doc's gold spans (in `doc.spans` order).

        Args:
            part: "scores" (what `predict` uses), "head" (the encoder head alone) or "lexical"
                (the lexical model alone; needs one).
        """
        clf = self.pipeline.classifier
        out: list[np.ndarray] = []
        for docs, texts, maps, enc in self.batches:
            spans = [
                [clean_span(m, s.start, s.end, t) for s in d.spans]
                for d, m, t in zip(docs, maps, texts, strict=True)
            ]
            if part == "lexical":
                if clf.lexical is None:
                    raise AttributeError("'NoneType' object has no attribute 'logits'")
                out.extend(clf.lexical.logits(texts, spans))
            else:
                out.extend((clf.logits if part == "head" else clf.scores)(texts, enc, spans))
        return out

    def tc_predictions(self) -> tuple[list[Doc], list[np.ndarray]]:
        """TC: one technique per gold span row (repeats: next likeliest), with probabilities."""
        clf = self.pipeline.classifier
        probs_all = []
        for logits in self.gold_logits():
            z = logits / clf.temperature
            p = np.exp(z - z.max(-1, keepdims=True))
            probs_all.append(p / p.sum(-1, keepdims=True))
        return ranked_docs(self.gold, probs_all, clf.labels), probs_all

    def scores(self) -> dict:
        """SI, FLC and TC scores plus ECE of span scores (SI, FLC) and of TC probabilities."""
        pred = self.predict()
        out: dict = {}
        out.update(score_si(self.gold, pred))
        out.update(score_flc(self.gold, pred))
        tc_pred, probs = self.tc_predictions()
        out.update(score_tc(self.gold, tc_pred))
        out.update(self.calibration(pred, probs))
        return out

    def calibration(self, pred: list[Doc], probs: list[np.ndarray]) -> dict:
        conf, hit = [], []
        for g, cands in zip(self.gold, self.candidates(), strict=True):
            merged = merge_intervals([(s.start, s.end) for s in g.spans])
            for s, e, score in cands:
                conf.append(score)
                hit.append(covered_share(s, e, merged))
        fconf, fhit = [], []
        for g, pd in zip(self.gold, pred, strict=True):
            by_tech: defaultdict[str | None, list[tuple[int, int]]] = defaultdict(list)
            for sp in g.spans:
                by_tech[sp.technique].append((sp.start, sp.end))
            merged_by_tech = {t: merge_intervals(v) for t, v in by_tech.items()}
            for sp in pd.spans:
                fconf.append(sp.score)
                fhit.append(covered_share(sp.start, sp.end, merged_by_tech.get(sp.technique, [])))
        tconf, thit = [], []
        labels = self.pipeline.classifier.labels
        for g, p in zip(self.gold, probs, strict=True):
            seen = set()
            for sp, row in zip(g.spans, p, strict=True):
                if (sp.start, sp.end) in seen:
                    continue
                seen.add((sp.start, sp.end))
                techs = {x.technique for x in g.spans if (x.start, x.end) == (sp.start, sp.end)}
                tconf.append(float(row.max()))
                thit.append(float(labels[int(row.argmax())] in techs))
        return {"si_ece": ece(conf, hit), "flc_ece": ece(fconf, fhit), "tc_ece": ece(tconf, thit)}


def ranked_docs(gold: list[Doc], scores: list[np.ndarray], labels: tuple[str, ...]) -> list[Doc]:
    """Copies of `gold` with each span row's technique taken from its scores (TC: one technique
    per row; a repeated span gets its next likeliest technique)."""
    preds = []
    for d, p in zip(gold, scores, strict=True):
        keys = [(s.start, s.end) for s in d.spans]
        pd = d.copy(with_spans=False)
        for (s, e), tech in zip(keys, assign_ranked(keys, p, labels), strict=True):
            pd.add_span(s, e, tech)
        preds.append(pd)
    return preds


def evaluate(
    pipeline: Pipeline,
    gold: list[Doc],
    batch_size: int = 8,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Score `pipeline` on `gold` docs.

    Args:
        pipeline: The loaded model.
        gold: Docs with gold spans.
        batch_size: Docs per encoder call.
        progress: Called with the number of docs encoded after each batch (for a progress bar).

    Returns:
        A flat dict: `si_*`, `flc_*`, `tc_*` (with `*_per_technique`) and `*_ece`.
    """
    return Evaluation(pipeline, gold, batch_size, progress).scores()


def training_overlap(ids: Sequence[str | None], meta: dict) -> str | None:
    """One sentence warning that scored articles are in the model's training data, or None.

    Args:
        ids: The ids of the scored articles.
        meta: The model's meta.json (its `trained_on` lists the article ids it trained on).
    """
    trained = set(meta.get("trained_on") or ())
    seen = [i for i in ids if i in trained]
    if not seen:
        return None
    name = f"{meta.get('name', 'the model')} {meta.get('version', '')}".strip()
    return (
        f"Warning: {len(seen)} of the {len(ids)} scored articles are in the training data of "
        f"{name} (its meta.json lists them), so these scores overstate how it does on new "
        "articles; score a model trained without them, as docs/model.md does."
    )
