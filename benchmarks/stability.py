"""Context, boundary and format stability of a model on PTC articles (prints one JSON object).

Usage:
    .venv/bin/python benchmarks/stability.py --model DIR [--corpus PTC_ROOT] [--split dev]
        [--limit N] [--only context,boundary,format]

See `proplens.robustness` for what each figure means. The default is the shipped model on the
75 PTC dev articles.
"""

from __future__ import annotations

import argparse
import json
import time

from proplens.corpus.gold import default_corpus, load_gold
from proplens.pipeline import load
from proplens.robustness import boundary_quality, context_stability, format_stability


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None, help="Model folder (default: the shipped model).")
    ap.add_argument("--corpus", default=default_corpus())
    ap.add_argument("--split", default="dev")
    ap.add_argument("--limit", type=int, default=None, help="Only the first N articles.")
    ap.add_argument("--only", default="context,boundary,format")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    nlp = load(args.model, threads=args.threads)
    gold = load_gold(args.corpus, (args.split,))[: args.limit]
    texts = [d.text for d in gold]
    out: dict = {"model": nlp.name, "version": nlp.version, "articles": len(gold)}
    t0 = time.time()
    if "boundary" in args.only:
        out["boundary"] = boundary_quality(list(nlp.pipe(texts)), gold)
    if "context" in args.only:
        out["context"] = context_stability(nlp, texts)
    if "format" in args.only:
        out["format"] = format_stability(nlp, texts)
    out["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
