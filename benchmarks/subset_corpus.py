"""Write a random subset of a PTC split as its own corpus folder (for a learning curve).

Usage:
    .venv/bin/python benchmarks/subset_corpus.py --articles 92 --out /tmp/lc/quarter
    HF_HUB_OFFLINE=1 .venv/bin/proplens train --corpus /tmp/lc/quarter/sub-articles \\
        --dev ../shared/corpora/ptc/dev-articles --out runs/lc-quarter/model

The split's article ids are sorted, shuffled with `--seed`, and the first `--articles` kept, so
a smaller subset is part of every larger one with the same seed. OUT gets `sub-articles/`
(copies of the articles) and `sub-task-flc-tc.labels` (their gold rows, in the split's order),
which `proplens train --corpus OUT/sub-articles` finds by itself. OUT holds corpus text: keep
it outside the repository.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

from proplens.corpus.gold import default_corpus
from proplens.corpus.semeval import (
    article_id_from_path,
    default_labels_path,
    read_labels,
    write_labels,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=default_corpus(), help="PTC root.")
    ap.add_argument("--split", default="train")
    ap.add_argument("--articles", type=int, required=True, help="How many articles to keep.")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    source = Path(args.corpus) / f"{args.split}-articles"
    paths = {article_id_from_path(p): p for p in source.glob("article*.txt")}
    if not 0 < args.articles <= len(paths):
        ap.error(f"--articles must be between 1 and {len(paths)}, the articles in {source}.")
    labels = default_labels_path(source)
    if labels is None:
        ap.error(f"No gold labels next to {source}: expected {args.split}-task-flc-tc.labels.")
    order = sorted(paths)
    random.Random(args.seed).shuffle(order)
    keep = set(order[: args.articles])
    articles = args.out / "sub-articles"
    articles.mkdir(parents=True, exist_ok=True)
    for article_id in sorted(keep):
        shutil.copy(paths[article_id], articles)
    rows = [r for r in read_labels(labels) if r.article_id in keep]
    write_labels(args.out / "sub-task-flc-tc.labels", rows)
    print(f"{len(keep)} articles, {len(rows)} label rows -> {args.out}")


if __name__ == "__main__":
    main()
