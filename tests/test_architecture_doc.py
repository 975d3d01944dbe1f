"""docs/architecture.md stays true: every top-level module and package of proplens is on it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "proplens"
NAMES = sorted(
    [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    + [f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()]
)


@pytest.mark.parametrize("name", NAMES)
def test_architecture_doc_names_every_module(name):
    assert name in DOC, f"docs/architecture.md does not mention proplens/{name}"
