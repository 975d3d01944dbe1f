"""`proplens label`: a teacher model writes soft labels for unlabelled articles (self-training)."""

from __future__ import annotations

import click

from proplens.cli.options import leave_out_filter, model_option, sample_options


@click.command("label")
@click.argument("inputs", nargs=-1, required=True)
@model_option()
@click.option(
    "-o", "--out", type=click.Path(path_type=str), required=True, help="Soft-label folder."
)
@sample_options("Label")
@click.option("--chunk-size", type=click.IntRange(1), default=50, show_default=True)
@click.option("--threads", type=int, default=2, show_default=True)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def label_cmd(
    inputs, model, out, sample, seed, min_words, leave_out, chunk_size, threads, no_progress
):
    """Label INPUTS (files, folders, JSONL(.gz) dumps) with the teacher MODEL's soft labels.

    The labels go to OUT in chunks; run the same command again to resume after a stop. Train a
    student on them with `proplens train --pseudo OUT`.
    """
    from proplens.distill import SoftLabelStore, label_corpus, sample_inputs
    from proplens.pipeline import load

    nlp = load(model, threads=threads)
    held_out = leave_out_filter(leave_out)
    chosen = sample_inputs(inputs, sample, seed, min_words, held_out)
    if held_out is not None:
        click.echo(held_out.describe(), err=True)
    header = {
        "teacher": nlp.name,
        "teacher_version": nlp.version,
        "teacher_path": str(nlp.path),
        "labels": list(nlp.labels),
        "inputs": sorted(str(i) for i in inputs),
        "sample": sample,
        "seed": seed,
        "min_words": min_words,
        "leave_out": sorted(leave_out) or None,
        "articles": len(chosen),
    }
    store = SoftLabelStore(out, chunk_size=chunk_size)
    n = label_corpus(nlp, chosen, store, header, progress=not no_progress)
    chunks = len(store.done())
    click.echo(f"Labelled {n} articles now; {out} holds {len(chosen)} in {chunks} chunks.")


commands = [label_cmd]
