"""`proplens batch` on a Dask `LocalCluster`: the `--scheduler` path, on one machine.

Starts a local cluster (worker processes, one thread each), sends the inputs (or their first
`--limit` articles) to it with `run_batch(..., scheduler=cluster.scheduler_address)` and prints the
summary. The same run against a cluster that already exists is
`proplens batch INPUT --scheduler tcp://HOST:8786 --db URL` (docs/corpus.md).

    python benchmarks/dask_local.py ../shared/corpora/allsides/allsides-03.jsonl.gz \\
        --limit 40 --workers 2 --db /tmp/dask.db
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--db", required=True)
    parser.add_argument("--limit", type=int, default=None, help="Articles to send (default: all).")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model", default=None, help="Model folder or module:callable.")
    args = parser.parse_args()
    from dask.distributed import LocalCluster

    from proplens.runner import run_batch
    from proplens.storage import Store

    with LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        print(
            f"LocalCluster at {cluster.scheduler_address} with {args.workers} workers", flush=True
        )
        with Store(args.db) as store:
            summary = run_batch(
                args.inputs,
                store,
                pipeline_factory=args.model,
                scheduler=cluster.scheduler_address,
                limit=args.limit,
                progress=False,
            )
            print(json.dumps({**summary.to_json(), "stored": store.count()}))


if __name__ == "__main__":
    main()
