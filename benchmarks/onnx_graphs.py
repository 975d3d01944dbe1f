"""Raw onnxruntime speed and graph size of encoder ONNX files (not a test; prints JSON lines).

Usage:
    .venv/bin/python benchmarks/onnx_graphs.py MODEL.onnx [MORE.onnx ...] [--fuse FP32.onnx]

Each file runs 2 windows x 256 word pieces (the encoder's batch shape) on 2 threads; the best of
three rounds of 20 calls counts. `--fuse` also runs onnxruntime's BERT graph optimiser on an fp32
export (12 heads, width 384), quantises the result like `proplens train` does, and times it.
Needs the `train` extra (onnx).
"""

from __future__ import annotations

import argparse
import collections
import json
import tempfile
import time
from pathlib import Path

import numpy as np


def pieces_per_second(path: str, rounds: int = 3, calls: int = 20) -> float:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads, opts.inter_op_num_threads = 2, 1
    session = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    ids = np.random.default_rng(0).integers(1000, 20000, (2, 256)).astype(np.int64)
    feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    session.run(None, feed)
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(calls):
            session.run(None, feed)
        best = min(best, time.perf_counter() - t)
    return calls * ids.size / best


def describe(path: str) -> dict:
    import onnx

    ops = collections.Counter(n.op_type for n in onnx.load(path).graph.node)
    keep = ("Attention", "IsNaN", "Where", "Softmax", "QAttention", "MatMulInteger")
    return {
        "model": path,
        "nodes": sum(ops.values()),
        **{op: ops[op] for op in keep},
        "pieces_per_second": round(pieces_per_second(path)),
    }


def fused(fp32: str, folder: Path) -> str:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    graph = optimizer.optimize_model(fp32, model_type="bert", num_heads=12, hidden_size=384)
    graph.save_model_to_file(str(folder / "fused.onnx"))
    out = folder / "fused-int8.onnx"
    quantize_dynamic(
        str(folder / "fused.onnx"),
        str(out),
        per_channel=True,
        weight_type=QuantType.QInt8,
        extra_options={"DefaultTensorType": 1},  # fused ops hide some tensor types
    )
    return str(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", help="ONNX files to time.")
    ap.add_argument("--fuse", help="An fp32 ONNX export to optimise, quantise and time.")
    args = ap.parse_args()
    for path in args.models:
        print(json.dumps(describe(path)), flush=True)
    if args.fuse:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps({**describe(fused(args.fuse, Path(tmp))), "fused_from": args.fuse}))


if __name__ == "__main__":
    main()
