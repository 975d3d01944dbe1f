"""The models shipped inside the package, by name: `fast` (MiniLM) and, when shipped,
`accurate` (the best model on PTC dev). `--model fast|accurate|PATH` everywhere.

The default is `accurate` when it beats `fast` on PTC dev by at least 2 points of SI F1 or TC
micro-F1 (each model's `dev_protocol_scores`, or `dev_scores`, in its meta.json), else `fast`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from proplens.errors import ModelError, ProplensError

MODELS_DIR = Path(__file__).resolve().parent / "models"
SHIPPED: dict[str, Path] = {"fast": MODELS_DIR / "default", "accurate": MODELS_DIR / "accurate"}
MARGIN = 0.02
MODEL_ENV = "PROPLENS_MODEL"  # the model used when none is named (a shipped name or a folder)


def _meta(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def dev_scores(meta: dict[str, Any]) -> dict[str, Any] | None:
    """Scores on PTC dev articles the model (or its recipe, trained without them) never saw."""
    for key in ("dev_scores", "dev_protocol_scores"):
        scores = meta.get(key)
        if isinstance(scores, dict) and "si_f1" in scores:
            return scores
    return None


def available() -> dict[str, Path]:
    """The shipped models present in this installation."""
    return {name: p for name, p in SHIPPED.items() if (p / "meta.json").is_file()}


def default_name() -> str:
    """`accurate` when it beats `fast` on dev by `MARGIN` in SI or TC F1, else `fast`."""
    have = available()
    if "accurate" not in have:
        return "fast"
    fast, acc = dev_scores(_meta(have["fast"])), dev_scores(_meta(have["accurate"]))
    if not fast or not acc:
        return "fast"
    better = any(acc.get(k, 0) - fast.get(k, 0) >= MARGIN for k in ("si_f1", "tc_f1"))
    return "accurate" if better else "fast"


def resolve_model(path: str | Path | None) -> Path:
    """The folder for `--model`: a shipped name, a folder path, or None: `$PROPLENS_MODEL` when
    set, else the shipped default.

    Raises:
        ModelError: A shipped name that this release does not include.
    """
    if path is None:
        path = os.environ.get(MODEL_ENV) or None
    if path is None:
        return SHIPPED[default_name()]
    if str(path) in SHIPPED:
        folder = SHIPPED[str(path)]
        if not (folder / "meta.json").is_file():
            raise ModelError(
                f"The {path} model is not shipped in this release; use --model "
                f"{' or '.join(available())}, or a folder written by `proplens train`."
            )
        return folder
    return Path(path)


def describe() -> list[dict[str, Any]]:
    """One row per shipped model: name, default or not, size, encoder, version, dev scores."""
    default = default_name()
    rows = []
    for name, folder in available().items():
        meta = _meta(folder)
        scores = dev_scores(meta) or {}
        size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
        speed = meta.get("speed") or {}
        rows.append(
            {
                "name": name,
                "default": name == default,
                "folder": str(folder),
                "size_mb": round(size / 1e6, 1),
                "base_model": meta.get("base_model"),
                "version": meta.get("version"),
                "taxonomy": meta.get("taxonomy", "ptc-2020"),
                "dev_si_f1": scores.get("si_f1"),
                "dev_tc_f1": scores.get("tc_f1"),
                "articles_per_s": speed.get("articles_per_s"),
                "p50_seconds_per_article": speed.get("p50_seconds_per_article"),
            }
        )
    return rows


def model_meta(model: str | None) -> dict:
    """The meta.json of a model (a folder, a shipped name, or None for the default model);
    {} when it cannot be read."""
    try:
        folder = resolve_model(model)
    except ProplensError:
        return {}
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
