"""Choose decoding settings on a gold split: token thresholds (SI) and second threshold (FLC).

Usage:
    .venv/bin/python benchmarks/tune_decoding.py --model DIR [--corpus PTC_ROOT] [--split dev]
    .venv/bin/python benchmarks/tune_decoding.py --model DIR --holdout   # its calibration hold-out

Encodes the split once, then re-decodes for each setting and prints SI/FLC F1 per setting (JSON)
and the best setting of each. `low_threshold` null is the single token threshold; a number is
hysteresis (spans grow from tokens above the token threshold over neighbours above it).
"""

from __future__ import annotations

import argparse
import json

from proplens.corpus.gold import default_corpus, load_gold, load_holdout
from proplens.evaluation import Evaluation
from proplens.pipeline import load
from proplens.scoring import score_flc, score_si


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", default=default_corpus())
    ap.add_argument("--split", default="dev")
    ap.add_argument(
        "--holdout",
        action="store_true",
        help="Score on the model's calibration hold-out (training articles it never trained on, "
        "listed in its meta.json) instead of --split.",
    )
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--trim-stop-end",
        choices=("off", "on", "both"),
        default="both",
        help="Cut trailing stop words off spans: never, always, or try both (default).",
    )
    grids = {
        "--token-thresholds": ([0.25, 0.3, 0.35, 0.4, 0.45, 0.5], "Token thresholds to try."),
        "--low-thresholds": (
            [0.0, 0.15, 0.2, 0.25],
            "Low (hysteresis) thresholds to try; 0 means none, the single token threshold.",
        ),
        "--second-thresholds": (
            [1.01, 0.4, 0.3, 0.2],
            "Second-technique thresholds to try (above 1: never a second technique).",
        ),
    }
    for flag, (default, text) in grids.items():
        ap.add_argument(flag, type=float, nargs="+", default=default, help=text)
    ap.add_argument(
        "--split-on-b",
        choices=("on", "off", "both"),
        default="both",
        help="Start a new span where P(B) > P(I): always, never, or try both (default).",
    )
    args = ap.parse_args()
    splits = {"on": (True,), "off": (False,), "both": (True, False)}[args.split_on_b]
    lows = [low or None for low in args.low_thresholds]
    trims = {"off": (False,), "on": (True,), "both": (False, True)}[args.trim_stop_end]
    nlp = load(args.model, threshold=0.0, threads=args.threads)
    if args.holdout:
        gold = load_holdout(args.corpus, nlp.meta)
    else:
        gold = load_gold(args.corpus, (args.split,))
    ev = Evaluation(nlp, gold)
    rows = []
    settings = [
        (tau, low, split, second, trim)
        for trim in trims
        for tau in args.token_thresholds
        for low in lows
        for split in splits
        for second in args.second_thresholds
        if low is None or low < tau
    ]
    for tau, low, split, second, trim in settings:
        nlp.detector.trim_stop_end = trim
        nlp.detector.token_threshold = tau
        nlp.detector.low_threshold = low
        nlp.detector.split_on_b = split
        nlp.classifier.second_threshold = second
        pred = ev.predict()
        for floor in (0.0, 0.05, 0.1, 0.15, 0.2):
            kept = [d.copy(with_spans=False) for d in pred]
            for k, d in zip(kept, pred, strict=True):
                k.spans = [s for s in d.spans if s.score >= floor]
            si, flc = score_si(gold, kept), score_flc(gold, kept)
            row = {
                "token_threshold": tau,
                "low_threshold": low,
                "split_on_b": split,
                "second_threshold": second,
                "trim_stop_end": trim,
                "threshold": floor,
                "si_p": round(si["si_p"], 4),
                "si_r": round(si["si_r"], 4),
                "si_f1": round(si["si_f1"], 4),
                "flc_f1": round(flc["flc_f1"], 4),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    best_si = max(rows, key=lambda r: r["si_f1"])
    best_flc = max(rows, key=lambda r: r["flc_f1"])
    print(json.dumps({"best_si": best_si, "best_flc": best_flc}))


if __name__ == "__main__":
    main()
