"""Corpus statistics from the store: technique rates by outlet, technique, month or any metadata.

Plain data out (`{"by", "model", "columns", "rows", "excluded", ...}`); the CLI prints it, the
web page's corpus view draws it and `plot` writes it as PNG or SVG. Rates come with confidence
intervals and the number of articles behind them (`proplens.stats.intervals`).

Example:
    >>> from proplens.storage import Store
    >>> corpus_stats(Store("sqlite://"), by="source")["rows"]
    []
"""

from __future__ import annotations

from proplens.stats.intervals import mean_interval, ratio_interval, wilson, z_value
from proplens.stats.plot import plot
from proplens.stats.query import (
    BUILTIN,
    RATE,
    UNKNOWN,
    articles_behind,
    corpus_keys,
    corpus_stats,
    parse_by,
    parse_where,
)

BY = BUILTIN  # the built-in keys; any metadata field of the articles works too

__all__ = [
    "BUILTIN",
    "BY",
    "RATE",
    "UNKNOWN",
    "articles_behind",
    "corpus_keys",
    "corpus_stats",
    "mean_interval",
    "parse_by",
    "parse_where",
    "plot",
    "ratio_interval",
    "wilson",
    "z_value",
]
