"""Gold corpora by path: the PTC root next to the repository, its splits or any folder of
articles with SemEval labels, and a model's calibration hold-out."""

from __future__ import annotations

from pathlib import Path

from proplens.corpus.semeval import load_split, read_corpus
from proplens.doc import Doc
from proplens.errors import ProplensError

DEFAULT_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "ptc"


def default_corpus() -> str | None:
    """`../shared/corpora/ptc` next to the repository, when it exists."""
    return str(DEFAULT_CORPUS) if (DEFAULT_CORPUS / "train-articles").is_dir() else None


def load_gold(corpus: str | None, splits: tuple[str, ...], taxonomy=None) -> list[Doc]:
    """Gold docs from a PTC root (the named splits) or from one folder of articles with labels.

    Args:
        corpus: A PTC root (holding `train-articles`, `dev-articles`) or an articles folder.
        splits: Which splits to read from a PTC root.
        taxonomy: The techniques the labels may name (default: the 14 PTC techniques).
    """
    if corpus is None:
        raise ProplensError(
            "No corpus given and ../shared/corpora/ptc was not found; pass `--corpus DIR`."
        )
    root = Path(corpus)
    if not root.is_dir():
        raise ProplensError(
            f"The corpus folder {root} does not exist; pass an existing `--corpus`."
        )
    if (root / "train-articles").is_dir() or (root / "dev-articles").is_dir():
        docs: list[Doc] = []
        for split in splits:
            docs.extend(load_split(root, split, taxonomy=taxonomy))
        return docs
    return read_corpus(root, taxonomy=taxonomy)


def load_holdout(corpus: str | None, meta: dict) -> list[Doc]:
    """Gold docs of a model's calibration hold-out: the training articles it never trained on,
    listed in its meta.json."""
    held = set(meta["calibration_holdout"])
    return [d for d in load_gold(corpus, ("train", "dev")) if d.id in held]
