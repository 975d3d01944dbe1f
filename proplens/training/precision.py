"""Which float format training computes in: bf16 autocast only where the CPU does bf16 natively.

Without native bf16 (AVX512-BF16 or AMX) PyTorch emulates it: on an Intel Xeon with AVX-512 but
no AVX512-BF16, `proplens train` took about 7 s a step in bf16 and 2.4 s in fp32 (docs/model.md,
"Precision", with the commands).
"""

from __future__ import annotations

import sys
from pathlib import Path

from proplens.errors import ProplensError

PRECISIONS = ("auto", "bf16", "fp32")
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The CPU feature flags in `cpuinfo` (default: /proc/cpuinfo; empty where there is none)."""
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        if not sys.platform.startswith("linux") or not path.exists():
            return set()
        cpuinfo = path.read_text(errors="replace")
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return flags


def use_bf16(precision: str, cpuinfo: str | None = None) -> bool:
    """True for bf16 autocast: `precision` is "bf16", or "auto" on a CPU with native bf16."""
    if precision not in PRECISIONS:
        raise ProplensError(f"Unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}.")
    if precision == "auto":
        return bool(cpu_flags(cpuinfo) & BF16_FLAGS)
    return precision == "bf16"
