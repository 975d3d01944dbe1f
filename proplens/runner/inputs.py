"""What a batch reads: the items of the one input layer (`proplens.ingest`), and shards.

Inputs are read by `proplens.ingest.iter_records`, the same layer `analyze`, `extract` and
`serve` use; each file is read once, streamed. This module adds only what is batch-specific.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from proplens.errors import ProplensError
from proplens.ingest.sources import Record, estimate_total, expand_inputs, iter_records

Item = Record  # one article to analyse, or a part of an input that could not be read

__all__ = ["Item", "estimate_total", "expand_inputs", "in_shard", "iter_items", "parse_shard"]


def iter_items(
    expanded: list[Any], max_bytes: int | None = None, max_chars: int | None = None
) -> Iterator[Item]:
    """Read each (expanded) input in turn; unreadable files and bad records become failed Items.

    Args:
        expanded: Inputs from `expand_inputs`.
        max_bytes: Size limit per input (per record for JSON Lines).
        max_chars: Longest article analysed; a longer one becomes a failed Item (None: no limit).
    """
    for item in iter_records(expanded, max_bytes=max_bytes):
        if max_chars is not None and item.doc is not None and item.error is None:
            if len(item.doc.text) > max_chars:
                item.error = (
                    f"The article is {len(item.doc.text):,} characters long, over the limit of "
                    f"{max_chars:,} characters; split it, or raise the limit with `--max-chars`."
                )
        yield item


def parse_shard(text: str | tuple[int, int] | None) -> tuple[int, int] | None:
    """`"i/n"` (1 <= i <= n) as `(i, n)`."""
    if text is None or isinstance(text, tuple):
        return text
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ProplensError(
            f"`--shard` must look like i/n with 1 <= i <= n (e.g. 1/4 ... 4/4), not {text!r}."
        )
    return int(m.group(1)), int(m.group(2))


def in_shard(item: Item, shard: tuple[int, int] | None) -> bool:
    """True when `item` belongs to shard `(i, n)` (by its content hash); always without one."""
    return shard is None or int(item.key[:15], 16) % shard[1] == shard[0] - 1
