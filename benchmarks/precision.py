"""Seconds per training step of an encoder in bf16 autocast and in fp32 on this CPU.

Usage:
    .venv/bin/python benchmarks/precision.py [--encoder minilm|mpnet|PATH] [--steps 3]

Times forward, backward and an AdamW step on a batch of 16 windows of 256 random word pieces
(the shape `proplens train` uses), after one warm-up step, and prints one JSON line per
precision with the CPU's bf16 flags: `proplens train --precision auto` takes bf16 only where
they are present.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from proplens.encoders import resolve_encoder
from proplens.training.model import load_encoder
from proplens.training.precision import BF16_FLAGS, cpu_flags


def step_seconds(model, batch: torch.Tensor, bf16: bool, steps: int) -> list[float]:
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    times = []
    for _ in range(steps + 1):
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(input_ids=batch).last_hidden_state.float().pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t)
    return times[1:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", default="minilm")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = load_encoder(resolve_encoder(args.encoder))
    model.train()
    batch = torch.randint(1000, 20000, (16, 256))
    flags = sorted(cpu_flags() & BF16_FLAGS)
    for bf16 in (True, False):
        times = step_seconds(model, batch, bf16, args.steps)
        row = {"encoder": args.encoder, "precision": "bf16" if bf16 else "fp32"}
        row |= {"seconds_per_step": [round(t, 2) for t in times], "cpu_bf16_flags": flags}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
