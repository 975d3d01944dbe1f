"""Click options shared by several commands, so each is defined (and documented) once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from proplens.shipped import MODEL_ENV

threshold_option = click.option(
    "-t",
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Keep only spans scoring at least this (default: the model's own).",
)


def model_option(factories: bool = False) -> Callable[[Any], Any]:
    """`-m/--model`: a model folder, or also `module:callable` where the command accepts one."""
    if factories:
        return click.option(
            "-m",
            "--model",
            envvar=MODEL_ENV,
            help="fast, accurate, a model folder or `module:callable` "
            "(default: the shipped default, see `proplens models`).",
        )
    return click.option(
        "-m",
        "--model",
        type=click.Path(path_type=str),
        default=None,
        help="fast, accurate or a model folder (default: the shipped default, see "
        "`proplens models`).",
    )


def corpus_options(default_split: str, split_help: str) -> Callable[[Any], Any]:
    """`--corpus DIR` and a repeatable `--split NAME`, for commands that read a gold corpus."""
    from proplens.corpus.gold import default_corpus

    def decorate(func: Any) -> Any:
        func = click.option(
            "--split",
            "splits",
            multiple=True,
            default=(default_split,),
            show_default=True,
            help=split_help,
        )(func)
        return click.option(
            "--corpus",
            type=click.Path(path_type=str),
            default=default_corpus,
            help="PTC root or articles folder with labels (default ../shared/corpora/ptc).",
        )(func)

    return decorate


def input_limit_options(too_long: str) -> Callable[[Any], Any]:
    """`--max-chars` and `--max-bytes`, for commands that read articles from files.

    Args:
        too_long: What happens to a longer article, e.g. "skipped and reported".
    """
    from proplens.ingest.decoding import DEFAULT_MAX_CHARS, MAX_BYTES_ENV

    def decorate(func: Any) -> Any:
        func = click.option(
            "--max-bytes",
            type=click.IntRange(min=1),
            envvar=MAX_BYTES_ENV,
            help=f"Largest input file read, in bytes (default: ${MAX_BYTES_ENV} or 20 MB).",
        )(func)
        return click.option(
            "--max-chars",
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_CHARS,
            show_default=True,
            help=f"Longest article analysed, in characters; longer ones are {too_long}.",
        )(func)

    return decorate


def sample_options(what: str) -> Callable[[Any], Any]:
    """`--sample N`, `--seed`, `--min-words` and `--leave-out`, for commands that read unlabelled
    articles.

    Args:
        what: What is done to the sample, e.g. "Label" or "Read".
    """

    def decorate(func: Any) -> Any:
        func = click.option(
            "--leave-out",
            multiple=True,
            type=click.Path(exists=True, path_type=str),
            help="Articles to keep out (files, folders, JSONL), e.g. the dev set you score on: "
            "an input sharing 20 or more runs of 8 words with them is skipped. Repeatable.",
        )(func)
        func = click.option(
            "--min-words",
            type=click.IntRange(0),
            default=50,
            show_default=True,
            help="Skip articles shorter than this many words (headlines, stubs).",
        )(func)
        func = click.option(
            "--seed", type=int, default=0, show_default=True, help="Seed of the sample."
        )(func)
        return click.option(
            "--sample",
            type=click.IntRange(1),
            default=None,
            help=f"{what} a random sample of this many articles (default: all of them).",
        )(func)

    return decorate


precision_option = click.option(
    "--precision",
    type=click.Choice(["auto", "bf16", "fp32"]),
    default="auto",
    show_default=True,
    help="Compute in bf16 autocast or fp32; auto takes bf16 only where the CPU does it natively "
    "(AVX512-BF16 or AMX): emulated bf16 trains about 3x slower than fp32.",
)


def echo_precision(bf16: bool) -> None:
    """Say on stderr which precision training runs in (it sets the speed, and numbers differ)."""
    click.echo(f"Training in {'bf16 autocast' if bf16 else 'fp32'}.", err=True)


def leave_out_filter(paths: tuple[str, ...]) -> Any:
    """The `LeaveOut` filter of `--leave-out` paths, or None when none were given."""
    if not paths:
        return None
    from proplens.leave_out import LeaveOut

    return LeaveOut.from_inputs(paths)
