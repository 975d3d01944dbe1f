"""Time `proplens stats` queries on a store filled with synthetic rows at full-corpus scale.

No model runs: the store gets N articles (489 outlets, 3 leans, 20 topics, dates over 2012-2020
with a share missing or malformed) and about 27 spans each, the shape of the AllSides corpus
analysed by the shipped model, written straight into the tables. Then every query the corpus
view and `proplens stats` make is timed.

    python benchmarks/bench_stats.py --articles 37467 --db /tmp/synthetic.db
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = [
    {"by": "source"},
    {"by": "source", "min_articles": 20, "sort": "rate"},
    {"by": "technique"},
    {"by": "month"},
    {"by": "bias"},
    {"by": "topic"},
    {"by": "bias,technique"},
    {"by": "source,technique", "min_articles": 20},
    {"by": "bias,month"},
    {"by": "source", "where": ["bias=left"], "technique": ["Loaded_Language"]},
    {"by": "month", "since": "2016-01", "until": "2016-12"},
]


def fill(db: str, n: int, seed: int = 0) -> None:
    import sqlalchemy as sa

    from proplens.storage import Store
    from proplens.storage.migrations import utcnow
    from proplens.storage.queries import ARTICLE_META, ARTICLE_TECHNIQUES
    from proplens.techniques import LABELS

    rng = random.Random(seed)
    outlets = [(f"Outlet {i:03d}", rng.choice(["left", "center", "right"])) for i in range(489)]
    topics = [f"topic-{i:02d}" for i in range(20)]
    weights = [0.5, 0.12, 0.08, 0.06, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02, 0.02, 0.01, 0.01, 0.01]
    with Store(db) as store:
        a, s = store.articles, store.spans
        run = store.start_run(
            __import__("proplens.storage", fromlist=["ModelId"]).ModelId("m", "1")
        )
        with store.engine.begin() as conn:
            for start in range(0, n, 2000):
                arts, spans, meta, counts = [], [], [], {}
                for i in range(start, min(n, start + 2000)):
                    source, bias = rng.choice(outlets)
                    r, y, m = rng.random(), rng.randint(2012, 2020), rng.randint(1, 12)
                    date = "" if r < 0.12 else "1/21" if r < 0.121 else f"{y}-{m:02d}-15"
                    words = rng.randint(150, 2500)
                    k = max(0, int(rng.gauss(words / 30, 5)))
                    arts.append(
                        dict(id=i + 1, content_hash=f"{i:064d}", model_name="m", model_version="1",
                             run_id=run, status="done", origin=f"x:{i}", doc_id=str(i),
                             source=source, date=date,
                             month=date[:7] if len(date) == 10 else None,
                             published=date if len(date) == 10 else None,
                             metadata=json.dumps({"bias": bias}), text="",
                             n_chars=words * 6, n_words=words, n_spans=k,
                             covered_chars=k * 30, created=utcnow())
                    )  # fmt: skip
                    meta += [
                        dict(article_id=i + 1, key="bias", value=bias),
                        dict(article_id=i + 1, key="topic", value=rng.choice(topics)),
                    ]
                    for o in range(k):
                        t = rng.choices(LABELS, weights=weights[: len(LABELS)])[0]
                        counts[(i + 1, t)] = counts.get((i + 1, t), 0) + 1
                        spans.append(
                            dict(article_id=i + 1, ord=o, start_char=o * 10,
                                 end_char=o * 10 + 5, technique=t, score=0.6)
                        )  # fmt: skip
                conn.execute(sa.insert(a), arts)
                conn.execute(sa.insert(ARTICLE_META), meta)
                conn.execute(sa.insert(s), spans)
                rows = [dict(article_id=i, technique=t, n=c) for (i, t), c in counts.items()]
                conn.execute(sa.insert(ARTICLE_TECHNIQUES), rows)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=37467)
    parser.add_argument("--db", default="/tmp/proplens-synthetic.db")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from proplens.stats import corpus_stats
    from proplens.storage import Store

    if not Path(args.db).exists():
        started = time.perf_counter()
        fill(args.db, args.articles)
        print(f"filled {args.db} in {time.perf_counter() - started:.1f} s")
    with Store(args.db) as store:
        with store.engine.connect() as conn:
            n_a = conn.exec_driver_sql("SELECT count(*) FROM articles").scalar()
            n_s = conn.exec_driver_sql("SELECT count(*) FROM spans").scalar()
        print(f"{n_a:,} articles, {n_s:,} spans, {os.path.getsize(args.db) / 1e6:.0f} MB")
        for q in QUERIES:
            times, cpu = [], []
            for _ in range(args.repeat):
                started, started_cpu = time.perf_counter(), time.process_time()
                data = corpus_stats(store, **q)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            print(
                f"{min(times):6.2f} s wall ({min(cpu):.2f} s CPU) best of {args.repeat}, "
                f"{len(data['rows']):5d} rows: {q}",
                flush=True,
            )


if __name__ == "__main__":
    main()
