"""`proplens score`: score SemEval-2020 Task 11 predictions against gold labels."""

from __future__ import annotations

import json
from pathlib import Path

import click

from proplens.corpus.semeval import LabelRow, attach_labels, read_articles, read_labels
from proplens.doc import Doc
from proplens.scoring import score

# How each task reads its label files: SI also accepts 4-column (TC/FLC) files.
READ_AS = {"si": "auto", "tc": "tc", "flc": "flc"}


def load_labelled(
    path: str, task: str, articles: dict[str, Doc] | None
) -> list[Doc] | list[LabelRow]:
    """Label rows from `path`; attached to copies of `articles` (checking offsets) when given."""
    rows = read_labels(path, READ_AS[task])
    if articles is None:
        return rows
    return attach_labels([d.copy(with_spans=False) for d in articles.values()], rows)


def _table(result: dict) -> str:
    head = f"P={result['p']:.4f}  R={result['r']:.4f}  F1={result['f1']:.4f}"
    lines = [f"{result['task'].upper()}  {head}"]
    for tech, m in result["per_technique"].items():
        lines.append(
            f"  {tech:<36} P={m['p']:.4f}  R={m['r']:.4f}  F1={m['f1']:.4f}"
            f"  (pred {m['n_pred']}, gold {m['n_gold']})"
        )
    return "\n".join(lines)


@click.command("score")
@click.option(
    "-t", "--task", type=click.Choice(["si", "tc", "flc"]), required=True, help="The task to score."
)
@click.argument("gold", type=click.Path(path_type=str))
@click.argument("pred", type=click.Path(path_type=str))
@click.option(
    "-a",
    "--articles",
    type=click.Path(path_type=str),
    default=None,
    help="Folder of article<ID>.txt files; when given, offsets are checked against the articles.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def score_cmd(task: str, gold: str, pred: str, articles: str | None, as_json: bool) -> None:
    """Score PRED against GOLD (SemEval `.labels` files or folders of them).

    Uses the SemEval-2020 Task 11 measures: partial-overlap P/R/F1 for SI and FLC, micro
    P/R/F1 on given spans for TC.
    """
    docs = read_articles(Path(articles)) if articles else None
    result = score(task, load_labelled(gold, task, docs), load_labelled(pred, task, docs))
    click.echo(json.dumps(result, indent=2) if as_json else _table(result))


commands = [score_cmd]
