"""Dev scores of a model with spans that cross sentence ends and with spans bound to sentences.

Usage:
    .venv/bin/python benchmarks/sentence_bound.py --model DIR [--corpus PTC_ROOT] [--split dev]

Encodes the split once, then decodes it with the span detector's `sentence_bound` off and on
(all other settings as the model's config.json has them) and prints one JSON line for each.
"""

from __future__ import annotations

import argparse
import json

from proplens.corpus.gold import default_corpus, load_gold
from proplens.evaluation import Evaluation
from proplens.pipeline import load

KEYS = ("si_p", "si_r", "si_f1", "tc_f1", "flc_f1")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", default=default_corpus())
    ap.add_argument("--split", default="dev")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    nlp = load(args.model, threads=args.threads)
    ev = Evaluation(nlp, load_gold(args.corpus, (args.split,)))
    for bound in (False, True):
        nlp.detector.sentence_bound = bound
        scores = ev.scores()
        row = {"model": args.model, "sentence_bound": bound}
        print(json.dumps(row | {k: round(scores[k], 4) for k in KEYS}), flush=True)


if __name__ == "__main__":
    main()
