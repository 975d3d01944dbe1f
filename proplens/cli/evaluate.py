"""`proplens evaluate`: score a model on a gold corpus (SI, TC, FLC, per technique, calibration)."""

from __future__ import annotations

import json

import click

from proplens.cli.options import corpus_options, model_option, threshold_option
from proplens.corpus.gold import DEFAULT_CORPUS, default_corpus, load_gold, load_holdout
from proplens.evaluation import training_overlap
from proplens.shipped import model_meta

__all__ = ["DEFAULT_CORPUS", "default_corpus", "load_gold", "load_holdout", "model_meta"]
from proplens.progress import progress_bar


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
