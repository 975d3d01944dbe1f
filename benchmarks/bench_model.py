"""Speed and memory of a proplens model on this machine (not a test; prints a JSON report).

Usage:
    .venv/bin/python benchmarks/bench_model.py [--model DIR] [--articles DIR] [--threads 2]

Measures, over a folder of article<ID>.txt files (default: PTC dev, 75 articles): load time,
articles/s for `Pipeline.pipe`, p50/p95 seconds per article one at a time (with word-piece
counts), peak RSS, model folder size, and the installed size of the default dependency closure.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpora" / "ptc" / "dev-articles"


def dist_closure(name: str, seen: set[str] | None = None) -> set[str]:
    """Names of installed distributions `name` needs (default extras only)."""
    seen = set() if seen is None else seen
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return seen
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return seen
    seen.add(key)
    for req in dist.requires or []:
        if "extra ==" in req:
            continue
        dep = re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0]
        dist_closure(dep, seen)
    return seen


def install_size_mb(name: str = "proplens") -> float:
    total = 0
    for dep in dist_closure(name):
        dist = metadata.distribution(dep)
        for f in dist.files or []:
            p = Path(dist.locate_file(f))
            if p.is_file():
                total += p.stat().st_size
    return total / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="Model folder (default: the shipped model).")
    ap.add_argument("--articles", default=str(DEV), help="Folder of article<ID>.txt files.")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument(
        "--write-meta",
        action="store_true",
        help="Record the speed in the model's meta.json (`speed`, shown by `proplens models`).",
    )
    args = ap.parse_args()

    import proplens
    from proplens.corpus.semeval import read_articles

    docs = list(read_articles(args.articles).values())
    t = time.perf_counter()
    nlp = proplens.load(args.model, threads=args.threads)
    load_s = time.perf_counter() - t
    nlp(docs[0])  # warm-up

    t = time.perf_counter()
    n_spans = sum(len(d.spans) for d in nlp.pipe(docs, batch_size=args.batch_size))
    pipe_s = time.perf_counter() - t

    per, pieces = [], []
    for d in docs:
        pieces.append(len(nlp.encoder.tokenizer.encode(d.text, add_special_tokens=False).ids))
        t = time.perf_counter()
        nlp(d)
        per.append(time.perf_counter() - t)
    per_arr = np.array(per)
    size = sum(f.stat().st_size for f in nlp.path.iterdir() if f.is_file())
    report = {
        "model": str(nlp.path),
        "articles": len(docs),
        "threads": args.threads,
        "load_seconds": round(load_s, 3),
        "articles_per_second": round(len(docs) / pipe_s, 2),
        "word_pieces_per_second": round(sum(pieces) / pipe_s),
        "spans_found": n_spans,
        "mean_word_pieces_per_article": round(float(np.mean(pieces))),
        "p50_seconds_per_article": round(float(np.percentile(per_arr, 50)), 4),
        "p95_seconds_per_article": round(float(np.percentile(per_arr, 95)), 4),
        "seconds_per_1200_pieces": round(float(per_arr.sum() / sum(pieces) * 1200), 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "model_size_mb": round(size / 2**20, 2),
        "torch_imported": "torch" in sys.modules,
        "default_install_size_mb": round(install_size_mb(), 1),
    }
    print(json.dumps(report, indent=2))
    if args.write_meta:
        write_speed(nlp.path, report, " ".join(sys.argv[1:]))


def write_speed(folder: Path, report: dict, argv: str) -> None:
    """Keep the measured speed in the model's meta.json, with the command that measured it."""
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    keys = ("articles_per_second", "p50_seconds_per_article", "p95_seconds_per_article")
    meta["speed"] = {
        "articles_per_s": report["articles_per_second"],
        **{k: report[k] for k in keys[1:]},
        "peak_rss_mb": report["peak_rss_mb"],
        "threads": report["threads"],
        "measured": time.strftime("%Y-%m-%d"),
        "command": f".venv/bin/python benchmarks/bench_model.py {argv}",
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
