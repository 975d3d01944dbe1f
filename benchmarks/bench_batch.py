"""Throughput of `proplens batch` (articles/s) with 1 and 2 workers on this machine.

Usage:
    .venv/bin/python benchmarks/bench_batch.py [--model DIR|module:callable] [--articles DIR]
        [--workers 1,2] [--batch-size 32] [--limit N] [--generated]
        [--model-batch-size 1]

Each setting analyses the same articles into a fresh SQLite file. `workers=1` runs the model
in the main process (the default of `proplens batch`); `workers=2` starts two processes, each
loading the model once with half the cores. Reported: total seconds (start-up and model loading
included), articles/s over the whole run, and steady articles/s after the first batch.
Articles: PTC dev (read in place from ../shared, never copied) when present, else generated text.
Prints a Markdown table, then the JSON report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpora" / "ptc" / "dev-articles"
sys.path.insert(0, str(ROOT))  # so `--model tests.fakes:KeywordPipeline` imports

from proplens.doc import Doc  # noqa: E402
from proplens.runner import run_batch  # noqa: E402
from proplens.storage import Store  # noqa: E402


def generated(n: int) -> list[Doc]:
    words = "the nation faces a disaster as traitors always spread fear and lies".split()
    return [
        Doc(" ".join(f"{words[(i + j) % len(words)]}" for j in range(600)) + f" ({i})", id=str(i))
        for i in range(n)
    ]


def bench(inputs: list, model: str | None, workers: int, batch_size: int, mbs: int) -> dict:
    first: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, Store(f"sqlite:///{tmp}/bench.db") as store:

        def on_batch(s) -> None:  # type: ignore[no-untyped-def]
            first.setdefault("t", time.perf_counter())
            first.setdefault("n", s.done)

        start = time.perf_counter()
        summary = run_batch(
            inputs,
            store,
            pipeline_factory=model,
            workers=workers,
            batch_size=batch_size,
            progress=False,
            on_batch=on_batch,
            model_batch_size=mbs,
        )
        end = time.perf_counter()
    steady_n = summary.done - first.get("n", 0)
    return {
        "workers": workers,
        "articles": summary.done,
        "failed": summary.failed,
        "seconds": round(end - start, 2),
        "articles_per_s": round(summary.done / (end - start), 2),
        "steady_articles_per_s": round(steady_n / (end - first["t"]), 2) if steady_n else None,
        "model": summary.model,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None, help="Model folder or module:callable.")
    parser.add_argument("--articles", type=Path, default=DEV if DEV.is_dir() else None)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, default=None, help="Use only the first N articles.")
    parser.add_argument("--generated", action="store_true", help="Use generated articles.")
    parser.add_argument("--model-batch-size", type=int, default=1, help="Articles per model call.")
    args = parser.parse_args()
    if args.articles is not None and not args.articles.is_dir():
        parser.error(f"--articles: no folder at {args.articles}")
    if args.articles is not None and not args.generated:
        inputs: list = sorted(args.articles.glob("*.txt"))[: args.limit]
        what = f"{len(inputs)} articles from {args.articles}"
    else:
        inputs = generated(args.limit or 200)
        what = f"{len(inputs)} generated articles of 600 words"
    rows = [
        bench(inputs, args.model, int(w), args.batch_size, args.model_batch_size)
        for w in args.workers.split(",")
    ]
    print(
        f"Batch throughput, {what}, model {rows[0]['model']}, batch size {args.batch_size}, "
        f"model batch size {args.model_batch_size}, "
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}):\n"
    )
    print("| workers | articles | seconds | articles/s | steady articles/s |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['workers']} | {r['articles']} | {r['seconds']} | {r['articles_per_s']} | "
            f"{r['steady_articles_per_s']} |"
        )
    print(json.dumps({"inputs": what, "cpus": os.cpu_count(), "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
