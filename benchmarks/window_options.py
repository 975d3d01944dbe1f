"""Speed and dev scores of a model under other window plans (not a test; prints JSON lines).

Usage:
    .venv/bin/python benchmarks/window_options.py --model DIR [--corpus ../shared/corpora/ptc]

For each (stride, short_tail) pair the model is run over the dev articles twice with
`Pipeline.pipe` (batch 8, 2 threads; the faster run counts) and scored with `evaluate`.
The model's own setting is in its config.json `encoder` section.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PTC = ROOT.parent / "shared" / "corpora" / "ptc"
OPTIONS = [(224, False), (240, False), (224, True), (240, True)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="Model folder (default: the shipped model).")
    ap.add_argument("--corpus", default=str(PTC), help="PTC root with a dev split.")
    args = ap.parse_args()

    import proplens
    from proplens.corpus.semeval import load_split
    from proplens.evaluation import evaluate

    dev = load_split(args.corpus, "dev")
    for stride, tail in OPTIONS:
        nlp = proplens.load(args.model, threads=2)
        nlp.encoder.stride, nlp.encoder.short_tail = stride, tail
        list(nlp.pipe(dev[:4]))  # warm-up
        best = float("inf")
        for _ in range(2):
            t = time.perf_counter()
            list(nlp.pipe([d.copy(with_spans=False) for d in dev], batch_size=8))
            best = min(best, time.perf_counter() - t)
        s = evaluate(nlp, dev)
        row = {"stride": stride, "short_tail": tail, "articles_per_s": round(len(dev) / best, 2)}
        row.update({k: round(s[k], 4) for k in ("si_f1", "tc_f1", "flc_f1")})
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
