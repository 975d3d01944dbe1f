"""`proplens adapt`: keep pre-training an encoder's masked language model on unlabelled news."""

from __future__ import annotations

import click

from proplens.cli.options import (
    echo_precision,
    leave_out_filter,
    precision_option,
    sample_options,
)


@click.command("adapt")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o", "--out", type=click.Path(path_type=str), required=True, help="Encoder folder to write."
)
@click.option(
    "--encoder",
    default="minilm",
    show_default=True,
    metavar="minilm|mpnet|PATH",
    help="The encoder to adapt (as `proplens train --encoder`).",
)
@click.option("--steps", type=click.IntRange(1), default=1000, show_default=True)
@click.option(
    "--head-steps",
    type=click.IntRange(0),
    default=100,
    show_default=True,
    help="First steps that train only the new masked-LM head.",
)
@click.option("--batch-size", type=click.IntRange(1), default=16, show_default=True)
@click.option(
    "--block",
    type=click.IntRange(16, 512),
    default=256,
    show_default=True,
    help="Word pieces a row.",
)
@click.option(
    "--lr",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="Peak learning rate [default: the encoder's fine-tuning rate].",
)
@sample_options("Read")
@click.option("--resume", is_flag=True, help="Continue from the checkpoint next to --out.")
@click.option("--tiny", is_flag=True, help="A tiny random encoder (tests and CI).")
@precision_option
@click.option("--threads", type=int, default=2, show_default=True)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def adapt_cmd(
    inputs,
    out,
    encoder,
    steps,
    head_steps,
    batch_size,
    block,
    lr,
    sample,
    seed,
    min_words,
    leave_out,
    resume,
    tiny,
    precision,
    threads,
    no_progress,
):
    """Train ENCODER's masked language model on INPUTS (files, folders, JSONL(.gz) dumps of
    unlabelled articles) and write it to OUT; then `proplens train --encoder OUT`.

    Leave out the articles you will score on (e.g. PTC dev). A stopped run continues with the
    same command and --resume.
    """
    import torch

    from proplens.distill import sample_inputs
    from proplens.training.adapt import AdaptConfig, adapt
    from proplens.training.precision import use_bf16

    torch.set_num_threads(threads)
    held_out = leave_out_filter(leave_out)
    texts = [d.clean for d in sample_inputs(inputs, sample, seed, min_words, held_out)]
    if held_out is not None:
        click.echo(held_out.describe(), err=True)
    config = AdaptConfig(
        encoder=encoder,
        steps=steps,
        head_steps=head_steps,
        batch_size=batch_size,
        block=block,
        lr=lr,
        seed=seed,
        tiny=tiny,
        bf16=use_bf16(precision),
    )
    echo_precision(config.bf16)
    described = adapt(config, texts, out, resume=resume, progress=not no_progress)
    click.echo(
        f"Adapted on {described['articles']} articles ({described['blocks']} blocks): masked-LM "
        f"loss {described['first_loss']:.3f} -> {described['final_loss']:.3f}. Fine-tune it with "
        f"`proplens train --encoder {out}`."
    )


commands = [adapt_cmd]
