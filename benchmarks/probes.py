"""Post-hoc ideas measured on a trained model, without retraining (not a test; prints JSON lines).

Usage:
    .venv/bin/python benchmarks/probes.py --model DIR [--corpus PTC_ROOT]

Each probe is scored on the model's calibration hold-out (training articles the model never
trained on, from its meta.json) and on PTC dev, so a choice can be made on the one and checked
on the other:

- `rescore`: a logistic regression fitted on the hold-out's detected spans (token-probability
  statistics, span length, hand features, technique probabilities) to predict how much of a
  span is gold, used to drop spans below a cut-off; SI F1 per cut-off.
- `propagate`: copy each detected span to the other places in the article where its text
  recurs (as Repetition); SI and FLC F1.
- `repetition_prior`: add beta to the Repetition score of spans whose text was used earlier in
  the article; TC micro-F1 per beta.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from proplens.corpus.gold import default_corpus, load_gold, load_holdout
from proplens.evaluation import Evaluation, covered_share, ranked_docs
from proplens.pipeline import load
from proplens.scoring import merge_intervals, score_flc, score_si, score_tc
from proplens.stages.features import DocStats, has_content_word, span_features
from proplens.stages.technique_classifier import clean_span, log_softmax


def _logit(v: float) -> float:
    v = min(max(v, 1e-4), 1 - 1e-4)
    return float(np.log(v / (1 - v)))


def span_table(ev: Evaluation) -> list[list[dict]]:
    """Per doc, its detected spans with features and the share of each covered by gold."""
    out = []
    for docs, texts, maps, enc in ev.batches:
        cands = ev.pipeline.detector.predict(texts, enc)
        annotated = [d.copy(with_spans=False) for d in docs]
        ev.pipeline.detector.set_annotations(annotated, cands, maps)
        probs = ev.pipeline.classifier.predict_docs(annotated, texts, enc, maps)
        for d, text, omap, e, cs, ps in zip(docs, texts, maps, enc, cands, probs, strict=True):
            pin = ev.pipeline.detector.tag_probs(e.tag_logits)[:, 1:].sum(-1)
            merged = merge_intervals([(s.start, s.end) for s in d.spans])
            stats, rows = DocStats(text), []
            for c, p in zip(cs, ps, strict=True):
                seg = pin[c.tok_start : c.tok_end + 1]
                raw = omap.to_raw(c.start, c.end)
                x = [_logit(seg.mean()), _logit(seg.max()), _logit(seg.min()), np.log(len(seg))]
                x += [*span_features(stats, c.start, c.end, len(seg)), p.max(), *p]
                rows.append({"raw": raw, "x": x, "y": covered_share(*raw, merged)})
            out.append(rows)
    return out


def si_keep(ev: Evaluation, table, keep) -> dict:
    preds = []
    for g, rows in zip(ev.gold, table, strict=True):
        d = g.copy(with_spans=False)
        for r in rows:
            if keep(r):
                d.add_span(*r["raw"], None)
        preds.append(d)
    return score_si(ev.gold, preds)


def rescore(evs: dict) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    tables = {name: span_table(ev) for name, ev in evs.items()}
    x = np.array([r["x"] for rows in tables["hold"] for r in rows])
    y = np.array([r["y"] for rows in tables["hold"] for r in rows])
    scaler = StandardScaler().fit(x)
    xs = scaler.transform(x)
    # Soft targets: each span once as positive (weight = covered share), once as negative.
    lr = LogisticRegression(C=0.1, max_iter=2000).fit(
        np.concatenate([xs, xs]), np.r_[np.ones(len(y)), np.zeros(len(y))], np.r_[y, 1 - y] + 1e-6
    )
    for name, table in tables.items():
        for rows in table:
            for r in rows:
                r["p"] = lr.predict_proba(scaler.transform([r["x"]]))[0, 1]
        for cut in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3):
            si = si_keep(evs[name], table, lambda r, cut=cut: r["p"] >= cut)
            print(json.dumps({"probe": "rescore", "on": name, "cut": cut, "si_f1": si["si_f1"]}))


def propagate(pred, min_score: float):
    out = []
    for d in pred:
        nd = d.copy(with_spans=False)
        nd.spans = list(d.spans)
        taken = merge_intervals([(s.start, s.end) for s in d.spans])
        stats = DocStats(d.text)
        for s in d.spans:
            if s.score < min_score or not has_content_word(s.text):
                continue
            frag = d.text[s.start : s.end].lower()
            for a in stats.matches(frag)[0]:
                b = a + len(frag)
                whole = (a == 0 or not d.text[a - 1].isalnum()) and (
                    b == len(d.text) or not d.text[b].isalnum()
                )
                if whole and not any(x < b and a < y for x, y in taken):
                    taken.append((a, b))
                    nd.add_span(a, b, "Repetition", s.score)
        out.append(nd)
    return out


def repetition_prior(ev: Evaluation, beta: float) -> float:
    clf, rep = ev.pipeline.classifier, ev.pipeline.classifier.labels.index("Repetition")
    scores = []
    for z, (docs, texts, maps, _enc) in zip(
        _per_batch(ev.gold_logits(), ev), ev.batches, strict=True
    ):
        for zd, d, text, omap in zip(z, docs, texts, maps, strict=True):
            stats = DocStats(text)
            zd = log_softmax(zd / clf.temperature)
            for i, s in enumerate(d.spans):
                start, end = clean_span(omap, s.start, s.end, text)
                earlier = span_features(stats, start, end, 1)[14]
                zd[i, rep] += beta * float(earlier > 0)
            scores.append(zd)
    return score_tc(ev.gold, ranked_docs(ev.gold, scores, clf.labels))["tc_f1"]


def _per_batch(flat: list, ev: Evaluation):
    i = 0
    for docs, *_ in ev.batches:
        yield flat[i : i + len(docs)]
        i += len(docs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", default=default_corpus())
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    nlp = load(args.model, threshold=0.0, threads=args.threads)
    evs = {
        "hold": Evaluation(nlp, load_holdout(args.corpus, nlp.meta)),
        "dev": Evaluation(nlp, load_gold(args.corpus, ("dev",))),
    }
    rescore(evs)
    for name, ev in evs.items():
        nlp.threshold = float(nlp.config.get("threshold", 0.0))
        pred = ev.predict()
        for min_score in (None, 0.2, 0.3, 0.4):
            p = pred if min_score is None else propagate(pred, min_score)
            row = {"probe": "propagate", "on": name, "min_score": min_score}
            row.update(si_f1=score_si(ev.gold, p)["si_f1"], flc_f1=score_flc(ev.gold, p)["flc_f1"])
            print(json.dumps(row))
        for beta in (0.0, 0.5, 1.0, 2.0, 3.0):
            f1 = repetition_prior(ev, beta)
            print(json.dumps({"probe": "repetition_prior", "on": name, "beta": beta, "tc_f1": f1}))


if __name__ == "__main__":
    main()
