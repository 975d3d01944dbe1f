"""Speed and scores of a model under other window plans (not a test; prints JSON lines).

Usage:
    .venv/bin/python benchmarks/window_options.py --model DIR [--corpus ../shared/corpora/ptc]
        [--strides 224 240] [--short-tail both|no|yes] [--holdout] [--no-timing]

For each (stride, short_tail) pair the model is run over the dev articles (or, with
`--holdout`, over its calibration hold-out: training articles it never trained on) twice with
`Pipeline.pipe` (batch 8, 2 threads; the faster run counts) and scored with `evaluate`.
`--no-timing` skips the timed runs (scores only, e.g. while the cores are busy).
The model's own setting is in its config.json `encoder` section.
"""

from __future__ import annotations

import argparse
import json
import time

from proplens.corpus.gold import default_corpus, load_gold, load_holdout

TAILS = {"both": (False, True), "no": (False,), "yes": (True,)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="Model folder (default: the shipped model).")
    ap.add_argument("--corpus", default=default_corpus(), help="PTC root with a dev split.")
    ap.add_argument("--strides", type=int, nargs="+", default=[224, 240])
    ap.add_argument("--short-tail", choices=sorted(TAILS), default="both")
    ap.add_argument("--holdout", action="store_true", help="Score on the model's hold-out.")
    ap.add_argument("--no-timing", action="store_true", help="Scores only.")
    args = ap.parse_args()

    import proplens
    from proplens.evaluation import evaluate

    nlp = proplens.load(args.model, threads=2)
    gold = load_holdout(args.corpus, nlp.meta) if args.holdout else load_gold(args.corpus, ("dev",))
    for tail in TAILS[args.short_tail]:
        for stride in args.strides:
            nlp.encoder.stride, nlp.encoder.short_tail = stride, tail
            row = {"stride": stride, "short_tail": tail, "articles": len(gold)}
            if not args.no_timing:
                list(nlp.pipe([d.copy(with_spans=False) for d in gold[:4]]))  # warm-up
                best = float("inf")
                for _ in range(2):
                    t = time.perf_counter()
                    list(nlp.pipe([d.copy(with_spans=False) for d in gold], batch_size=8))
                    best = min(best, time.perf_counter() - t)
                row["articles_per_s"] = round(len(gold) / best, 2)
            s = evaluate(nlp, gold)
            row.update({k: round(s[k], 4) for k in ("si_f1", "tc_f1", "flc_f1")})
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
