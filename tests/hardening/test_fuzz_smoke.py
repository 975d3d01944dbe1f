"""Runs the atheris ingestion fuzz target briefly (long runs are by hand: fuzz/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "fuzz" / "fuzz_ingest.py"


@pytest.mark.timeout(120)
def test_fuzz_ingest_short_run_finds_nothing(tmp_path):
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    proc = subprocess.run(
        [
            sys.executable,
            str(TARGET),
            str(corpus),
            "-runs=1500",
            "-timeout=20",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={tmp_path}/",
            "-seed=1",
        ],
        capture_output=True,
        text=True,
        timeout=110,
        cwd=ROOT,
    )
    tail = proc.stderr[-3000:]
    assert proc.returncode == 0, tail
    assert "Done 1500 runs" in proc.stderr, tail
    assert len(list(corpus.iterdir())) >= 8  # the seeds were written and kept
