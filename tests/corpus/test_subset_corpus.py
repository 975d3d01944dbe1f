"""benchmarks/subset_corpus.py: nested random subsets of a split that `proplens train` can read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from proplens.corpus.semeval import read_corpus

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "data" / "semeval_mini"


def _subset(out: Path, articles: int, seed: int = 0) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "benchmarks" / "subset_corpus.py"), "--corpus", str(MINI)]
    cmd += ["--split", "mini", "--articles", str(articles), "--seed", str(seed), "--out", str(out)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def _read(out: Path) -> dict[str, list]:
    return {d.id: d.spans for d in read_corpus(out / "sub-articles")}


@pytest.mark.parametrize("seed", [0, 1])
def test_subset_keeps_its_articles_gold_spans_and_nests_in_larger_ones(tmp_path, seed):
    full = {d.id: d.spans for d in read_corpus(MINI / "mini-articles")}
    small, large = tmp_path / "small", tmp_path / "large"
    assert _subset(small, 1, seed).returncode == 0 and _subset(large, 2, seed).returncode == 0
    small_docs, large_docs = _read(small), _read(large)
    assert len(small_docs) == 1 and len(large_docs) == 2
    assert set(small_docs) <= set(large_docs)
    assert all(spans == full[i] for i, spans in large_docs.items())


def test_subset_larger_than_the_split_is_refused(tmp_path):
    proc = _subset(tmp_path / "out", 4)
    assert proc.returncode != 0 and "--articles must be between 1 and 3" in proc.stderr
    assert not (tmp_path / "out").exists()
