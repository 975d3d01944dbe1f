"""`proplens evaluate`: score a model on a gold corpus (SI, TC, FLC, per technique, calibration)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from proplens.cli.options import corpus_options, model_option, threshold_option
from proplens.corpus.semeval import load_split, read_corpus
from proplens.doc import Doc
from proplens.errors import ProplensError
from proplens.progress import progress_bar

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


def model_meta(model: str | None) -> dict:
    """The meta.json of a model (a folder, a shipped name, or None for the default model);
    {} when it cannot be read."""
    from proplens.shipped import resolve_model

    try:
        folder = resolve_model(model)
    except ProplensError:
        return {}
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def training_overlap(ids: list[str | None], meta: dict) -> str | None:
    """One sentence warning that scored articles are in the model's training data, or None.

    Args:
        ids: The ids of the scored articles.
        meta: The model's meta.json (its `trained_on` lists the article ids it trained on).
    """
    trained = set(meta.get("trained_on") or ())
    seen = [i for i in ids if i in trained]
    if not seen:
        return None
    name = f"{meta.get('name', 'the model')} {meta.get('version', '')}".strip()
    return (
        f"Warning: {len(seen)} of the {len(ids)} scored articles are in the training data of "
        f"{name} (its meta.json lists them), so these scores overstate how it does on new "
        "articles; score a model trained without them, as docs/model.md does."
    )


def load_holdout(corpus: str | None, meta: dict) -> list[Doc]:
    """Gold docs of a model's calibration hold-out: the training articles it never trained on,
    listed in its meta.json."""
    held = set(meta["calibration_holdout"])
    return [d for d in load_gold(corpus, ("train", "dev")) if d.id in held]


@click.command("evaluate")
@corpus_options("dev", "Split(s) of a PTC root to score on.")
@model_option()
@threshold_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate_cmd(corpus, splits, model, threshold, as_json) -> None:
    """Score a model on gold articles: SI, TC and FLC P/R/F1, per technique, calibration."""
    from proplens.evaluation import evaluate
    from proplens.pipeline import load

    gold = load_gold(corpus, tuple(splits))
    pipeline = load(model, threshold=threshold)
    warning = training_overlap([d.id for d in gold], getattr(pipeline, "meta", {}) or {})
    if warning:
        click.secho(warning, err=True, fg="yellow")
    with progress_bar(len(gold), "Scoring") as advance:
        scores = evaluate(pipeline, gold, progress=advance)
    if as_json:
        if warning:
            scores["warning"] = warning
        click.echo(json.dumps(scores, indent=2))
        return
    for task in ("si", "tc", "flc"):
        click.echo(
            f"{task.upper():<4} P={scores[f'{task}_p']:.4f}  R={scores[f'{task}_r']:.4f}  "
            f"F1={scores[f'{task}_f1']:.4f}"
        )
    click.echo(
        f"ECE  spans(SI)={scores['si_ece']:.4f}  spans(FLC)={scores['flc_ece']:.4f}  "
        f"TC={scores['tc_ece']:.4f}"
    )
    click.echo("Per technique F1 (TC / FLC):")
    for tech, m in scores["tc_per_technique"].items():
        flc = scores["flc_per_technique"].get(tech, {}).get("f1", 0.0)
        click.echo(f"  {tech:<38} {m['f1']:.4f} / {flc:.4f}")


commands = [evaluate_cmd]
