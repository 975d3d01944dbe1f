"""`proplens score`: score SemEval-2020 Task 11 predictions against gold labels."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import cast

import click

from proplens.corpus.semeval import LabelRow, attach_labels, read_articles, read_labels
from proplens.doc import Doc
from proplens.errors import CorpusFormatError, ProplensError
from proplens.scoring import score, tc_unmatched

# How each task reads its label files: SI also accepts 4-column (TC/FLC) files.
READ_AS = {"si": "auto", "tc": "tc", "flc": "flc"}


_WRONG_SHAPE = re.compile(r"expected \d tab-separated columns \([^)]*\) for task \w+ but found")


def load_labelled(
    path: str, task: str, articles: dict[str, Doc] | None
) -> list[Doc] | list[LabelRow]:
    """Label rows from `path`; attached to copies of `articles` (checking offsets) when given."""
    try:
        rows = read_labels(path, READ_AS[task])
    except CorpusFormatError as exc:
        if task != "si":
            raise
        # SI reads 3- and 4-column files; say so, rather than naming the shape it guessed.
        raise CorpusFormatError(
            _WRONG_SHAPE.sub(
                "expected 3 (`id start end`) or 4 (`id technique start end`) tab-separated "
                "columns, the same in every row, for task SI but found",
                str(exc),
            )
        ) from None
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
@click.option(
    "-m",
    "--model",
    type=click.Path(path_type=str),
    default=None,
    help="The model (folder or shipped name) that made PRED (default: the default model); "
    "used only to warn "
    "when the scored articles are in its training data.",
)
def score_cmd(
    task: str, gold: str, pred: str, articles: str | None, as_json: bool, model: str | None
) -> None:
    """Score PRED against GOLD (SemEval `.labels` files or folders of them).

    Uses the SemEval-2020 Task 11 measures: partial-overlap P/R/F1 for SI and FLC, micro
    P/R/F1 on given spans for TC (PRED must then hold the gold file's spans, as `proplens
    classify` writes them).
    """
    from proplens.evaluation import training_overlap
    from proplens.shipped import model_meta

    docs = read_articles(Path(articles)) if articles else None
    gold_rows, pred_rows = load_labelled(gold, task, docs), load_labelled(pred, task, docs)
    if task == "tc":
        _refuse_unmatched(gold_rows, pred_rows, gold)
    result = score(task, gold_rows, pred_rows)
    # Every gold row names its article (a LabelRow's article_id, an article Doc's id).
    id_set = {getattr(r, "id", None) or getattr(r, "article_id", None) for r in gold_rows}
    ids = sorted(cast(set[str], id_set))
    warning = training_overlap(ids, model_meta(model))
    if warning:
        click.secho(warning, err=True, fg="yellow")
        result["warning"] = warning
    click.echo(json.dumps(result, indent=2) if as_json else _table(result))


def _refuse_unmatched(gold_rows, pred_rows, gold: str) -> None:  # type: ignore[no-untyped-def]
    bad = sorted(tc_unmatched(gold_rows, pred_rows), key=lambda r: getattr(r, "line", 0))
    if not bad:
        return
    first = bad[0]
    where = first.where() if isinstance(first, LabelRow) else f"[{first.start}, {first.end})"
    total = sum(len(d.spans) if isinstance(d, Doc) else 1 for d in pred_rows)
    raise ProplensError(
        f"{len(bad)} of the {total} prediction rows are on spans that {gold} does not have "
        f"(first: {where}); TC scores "
        "techniques on the gold spans only, so those rows could only count as wrong. Fill in "
        "the gold spans with `proplens classify ARTICLES --spans GOLD -o PRED`, or score "
        "end-to-end predictions with `--task flc`."
    )


commands = [score_cmd]
