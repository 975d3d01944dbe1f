"""Start n `proplens batch --shard i/n` processes together on a fresh database, many times.

Each trial empties the database (a new SQLite file, or every table of the PostgreSQL database
at `--postgres`: use only a throwaway server), starts the n shards at the same moment, and
checks that every process exits 0 and that every article is stored exactly once. Uses the
keyword stand-in model (tests.fakes), so the race is in the store, not the model.

Example:
    .venv/bin/python benchmarks/concurrent_first_runs.py --trials 20
    .venv/bin/python benchmarks/concurrent_first_runs.py --trials 20 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/proplens_test
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes import article, empty_postgres  # noqa: E402


def trial(url: str, feed: Path, shards: int) -> dict:
    """One trial: n shards at once on the empty database at `url`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "proplens", "batch", str(feed), "--db", url, "--no-progress"]
    cmd += ["--model", "tests.fakes:KeywordPipeline", "-b", "8"]
    procs = [
        subprocess.Popen(
            [*cmd, "--shard", f"{i}/{shards}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(1, shards + 1)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    from proplens.storage import Store

    with Store(url) as store:
        hashes = Counter(doc.content_hash for doc in store.iter_articles())
    return {
        "codes": codes,
        "stored": len(hashes),
        "duplicates": sum(n - 1 for n in hashes.values()),
        "errors": [
            err.strip().splitlines()[-1]
            for (_, err), c in zip(outs, codes, strict=True)
            if c and err
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--postgres", help="URL of a THROWAWAY PostgreSQL database (emptied).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.jsonl"
        feed.write_text("".join(json.dumps(article(i)) + "\n" for i in range(args.articles)))
        results, started = [], time.perf_counter()
        for n in range(args.trials):
            if args.postgres:
                empty_postgres(args.postgres)
                url = args.postgres
            else:
                url = f"sqlite:///{Path(tmp) / f'trial{n}.db'}"
            results.append(trial(url, feed, args.shards))
    ok = [r for r in results if r["codes"] == [0] * args.shards]
    complete = [r for r in results if r["stored"] == args.articles and not r["duplicates"]]
    summary = {
        "backend": "postgresql" if args.postgres else "sqlite",
        "trials": args.trials,
        "shards": args.shards,
        "articles": args.articles,
        "all_processes_exit_0": len(ok),
        "every_article_stored_once": len(complete),
        "failed_processes": sum(c != 0 for r in results for c in r["codes"]),
        "errors": sorted({e for r in results for e in r["errors"]})[:5],
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"{summary['backend']}: {args.trials} trials of {args.shards} shards x "
            f"{args.articles} articles on a fresh database: all processes exit 0 in "
            f"{len(ok)}/{args.trials}, every article stored once in {len(complete)}/"
            f"{args.trials} ({summary['failed_processes']} failed processes; "
            f"{summary['seconds']} s)."
        )
        for e in summary["errors"]:
            print("  error:", e)
    sys.exit(0 if len(ok) == len(complete) == args.trials else 1)


if __name__ == "__main__":
    main()
