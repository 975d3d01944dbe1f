"""Peak memory and time of one analysis against article size, for varied and repetitive text.

Each measurement runs in a fresh process: load the model, build an article of the given size
(varied: PTC training articles one after another; repetitive: one sentence over and over),
analyse it, and report the process's peak RSS (`ru_maxrss`) and the time taken. `--max-seconds`
stops an analysis early through `proplens.cancel` (the row then says so, and its peak is the
peak so far: the whole text has been read and normalised by then, and some segments analysed).

Example:
    .venv/bin/python benchmarks/bounded_memory.py --sizes 0.1 0.5 1 5 --max-seconds 120
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PTC = ROOT.parent / "shared" / "corpora" / "ptc" / "train-articles"
SENTENCE = "The corrupt elite always lies to the people, and the people know it. "


def article(kind: str, n_chars: int) -> str:
    if kind == "repetitive":
        return (SENTENCE * (n_chars // len(SENTENCE) + 1))[:n_chars]
    parts, size = [], 0
    files = sorted(PTC.glob("*.txt"))
    while size < n_chars:
        for f in files:
            text = f.read_text(encoding="utf-8")
            parts.append(text)
            size += len(text) + 2
            if size >= n_chars:
                break
    return "\n\n".join(parts)[:n_chars]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def measure(kind: str, n_chars: int, max_seconds: float, model: str = "fast") -> dict:
    import proplens
    from proplens.cancel import Cancel, Cancelled, cancellable

    nlp = proplens.load(model)
    text = article(kind, n_chars)
    loaded = peak_mb()
    started = time.perf_counter()
    analysed, decode = [0], nlp._decode

    def counting(docs, texts, *rest):  # counts the characters the model has been through
        out = decode(docs, texts, *rest)
        analysed[0] += sum(map(len, texts))
        return out

    nlp._decode = counting
    complete = True
    try:
        with cancellable(Cancel(deadline=time.monotonic() + max_seconds)):
            nlp(text)
    except Cancelled:
        complete = False
    return {
        "kind": kind,
        "chars": len(text),
        "seconds": round(time.perf_counter() - started, 1),
        "complete": complete,
        "rss_after_load_mb": round(loaded),
        "peak_rss_mb": round(peak_mb()),
        "analysed_chars": analysed[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.1, 0.5, 1, 2, 5], help="MB")
    parser.add_argument("--kinds", nargs="+", default=["varied", "repetitive"])
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--model", default="fast", help="fast, accurate or a model folder.")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "CHARS"), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]), args.max_seconds, args.model)))
        return
    rows = []
    for kind in args.kinds:
        for mb in args.sizes:
            cmd = [sys.executable, __file__, "--one", kind, str(int(mb * 1_000_000))]
            cmd += ["--model", args.model, "--max-seconds", str(args.max_seconds)]
            out = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            if not args.json:
                r = rows[-1]
                done = (
                    "complete"
                    if r["complete"]
                    else f"stopped at {args.max_seconds:g} s after {r.get('analysed_chars', 0):,} "
                    "characters"
                )
                size = f"{r['kind']:>10} {r['chars'] / 1e6:5.2f} MB"
                print(
                    f"{size}: peak RSS {r['peak_rss_mb']:5d} MB (after loading the model "
                    f"{r['rss_after_load_mb']} MB), {r['seconds']:7.1f} s, {done}",
                    flush=True,
                )
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
