"""Does an ensemble of two models pay? Mix their per-word-piece P(O/B/I) and their technique
probabilities on a gold split, for several weights, and print SI, FLC and TC per weight (JSON).

Usage:
    .venv/bin/python benchmarks/ensemble.py --model runs/mpnet-teacher/model \
        --with runs/student-p1500/model [--corpus PTC_ROOT] [--split dev]

Both models must read the text in the same word pieces (MiniLM and MPNet share BERT's uncased
word pieces; the offsets are checked). Spans are decoded by the first model's detector on the
mixed probabilities and classified by its classifier (FLC); TC mixes both classifiers'
probabilities on the gold spans. Weight 1 is the first model alone, 0 the second alone.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import numpy as np

from proplens.corpus.gold import default_corpus, load_gold
from proplens.evaluation import Evaluation, ranked_docs
from proplens.pipeline import load
from proplens.scoring import score_flc, score_si, score_tc
from proplens.stages.span_detector import softmax


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="The first model (its decoding is used).")
    ap.add_argument("--with", dest="other", required=True, help="The second model.")
    ap.add_argument("--corpus", default=default_corpus())
    ap.add_argument("--split", default="dev")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    gold = load_gold(args.corpus, (args.split,))
    first, second = (load(m, threads=args.threads) for m in (args.model, args.other))
    ev_a, ev_b = Evaluation(first, gold), Evaluation(second, gold)
    probs_a = [softmax(e.tag_logits) for b in ev_a.batches for e in b[3]]
    probs_b = [softmax(e.tag_logits) for b in ev_b.batches for e in b[3]]
    for b_a, b_b in zip(ev_a.batches, ev_b.batches, strict=True):
        for e_a, e_b in zip(b_a[3], b_b[3], strict=True):
            if not np.array_equal(e_a.offsets, e_b.offsets):
                raise SystemExit("The two models cut the text into different word pieces.")
    _, tc_a = ev_a.tc_predictions()
    _, tc_b = ev_b.tc_predictions()
    original = list(ev_a.batches)
    for w in (1.0, 0.75, 0.6, 0.5, 0.4, 0.25, 0.0):
        it = iter(zip(probs_a, probs_b, strict=True))
        ev_a.batches = [
            (docs, texts, maps, [replace(e, tag_logits=np.log(_mix(next(it), w))) for e in enc])
            for docs, texts, maps, enc in original
        ]
        pred = ev_a.predict()
        tc = ranked_docs(
            gold, [w * a + (1 - w) * b for a, b in zip(tc_a, tc_b, strict=True)], first.labels
        )
        row = {"weight_first": w}
        row.update({k: round(v, 4) for k, v in score_si(gold, pred).items()})
        row["flc_f1"] = round(score_flc(gold, pred)["flc_f1"], 4)
        row["tc_f1"] = round(score_tc(gold, tc)["tc_f1"], 4)
        print(json.dumps(row), flush=True)
    ev_a.batches = original


def _mix(pair: tuple[np.ndarray, np.ndarray], w: float) -> np.ndarray:
    a, b = pair
    return np.clip(w * a + (1 - w) * b, 1e-9, 1.0)


if __name__ == "__main__":
    main()
