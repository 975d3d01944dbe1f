"""`proplens predict` (end-to-end FLC rows) and `proplens classify` (fill in a TC template)."""

from __future__ import annotations

import click

from proplens.cli.options import model_option, threshold_option
from proplens.corpus.tasks import classify_template, predict_folder


@click.command("predict")
@click.argument("articles_dir", type=click.Path(path_type=str))
@click.option(
    "-o", "--out", type=click.Path(path_type=str), required=True, help="Labels file to write."
)
@model_option()
@threshold_option
@click.option("--batch-size", type=int, default=8, show_default=True)
def predict_cmd(articles_dir, out, model, threshold, batch_size) -> None:
    """Find technique spans in every article<ID>.txt of ARTICLES_DIR; write SemEval FLC rows."""
    n = predict_folder(articles_dir, out, model, threshold, batch_size)
    click.echo(f"Wrote {n} spans to {out}.")


@click.command("classify")
@click.argument("articles_dir", type=click.Path(path_type=str))
@click.option(
    "--spans",
    type=click.Path(path_type=str),
    required=True,
    help="TC template: rows `id ? start end` (or with techniques, which are replaced).",
)
@click.option(
    "-o", "--out", type=click.Path(path_type=str), required=True, help="Labels file to write."
)
@model_option()
@click.option("--batch-size", type=int, default=8, show_default=True)
def classify_cmd(articles_dir, spans, out, model, batch_size) -> None:
    """Give each span row of a SemEval TC template its most likely technique."""
    n = classify_template(articles_dir, spans, out, model, batch_size)
    click.echo(f"Wrote {n} rows to {out}.")


commands = [predict_cmd, classify_cmd]
