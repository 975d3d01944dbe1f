"""Time `proplens analyze` on one sentence repeated to a given length (issue 20).

Each size is written to a temporary file and analysed by a fresh `proplens analyze` process,
so the time includes loading the model; the line printed per size gives the wall time, the CPU
time of that process (steadier than wall time on a shared machine) and the number of spans.

Example:
    .venv/bin/python benchmarks/repetitive_text.py --sizes 50000 200000 --model fast
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCE = "The corrupt elite always lies to the people, and the people know it. "


def repetitive(n_chars: int, sentence: str = SENTENCE) -> str:
    """`sentence` repeated and cut to exactly `n_chars` characters."""
    return (sentence * (n_chars // len(sentence) + 1))[:n_chars]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000])
    parser.add_argument("--model", default="fast")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"repetitive-{size}.txt"
            path.write_text(repetitive(size), encoding="utf-8")
            command = [sys.executable, "-m", "proplens", "analyze", str(path)]
            command += ["--model", args.model, "-f", "json"]
            cpu, started = _children_cpu(), time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
            spans = len(json.loads(done.stdout)["spans"])
            print(
                f"{size:>9,} characters  {seconds:7.1f} s wall  {cpu:7.1f} s CPU  {spans:,} spans",
                flush=True,
            )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
