"""A tiny run of benchmarks/load_api.py: the real server, real model, a few concurrent requests
(good and hostile), no 5xx, and the server still up. Skipped without a model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(150)
def test_load_api_small_run_has_no_5xx():
    from proplens.pipeline import DEFAULT_MODEL

    model = Path(os.environ.get("PROPLENS_TEST_MODEL", DEFAULT_MODEL))
    if not (model / "model.onnx").is_file():
        pytest.skip(f"no model at {model} (build the default model or set PROPLENS_TEST_MODEL)")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "load_api.py"),
            "--model",
            str(model),
            "--requests",
            "12",
            "--concurrency",
            "3",
            "--max-seconds",
            "100",
            "--hostile",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=140,
        cwd=ROOT,
    )
    result = json.loads(proc.stdout)
    assert result["n_5xx"] == 0 and result["n_transport_errors"] == 0, result
    assert result["server_survived"] and result["statuses"].get("200", 0) >= 6
    assert set(result["hostile_statuses"]) <= {"200", "413", "415", "422"}
