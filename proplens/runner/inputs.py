"""What a batch reads: paths, folders, globs, JSONL files and Docs, as items; shards."""

from __future__ import annotations

import glob as globlib
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proplens.doc import Doc
from proplens.errors import IngestError, ProplensError

_GLOB_CHARS = re.compile(r"[*?[]")


@dataclass
class Item:
    """One article to analyse, or an input that could not be read (`error`)."""

    origin: str | None
    doc: Doc | None = None
    error: str | None = None

    @property
    def key(self) -> str:
        """Stable identity for sharding: the content hash, or a hash of the origin."""
        if self.doc is not None:
            return self.doc.content_hash
        return hashlib.sha256(str(self.origin).encode("utf-8", "surrogatepass")).hexdigest()


def expand_inputs(inputs: Iterable[str | os.PathLike | Doc], glob: str = "*") -> list[Any]:
    """Files (folders searched recursively, `glob` inside them), `"-"` and Docs, in order.

    Raises:
        IngestError: An input does not exist or a pattern matches nothing.
    """
    from proplens.ingest import iter_folder

    out: list[Any] = []
    for item in [inputs] if isinstance(inputs, (str, os.PathLike, Doc)) else inputs:
        if isinstance(item, Doc) or str(item) == "-":
            out.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            out.extend(iter_folder(path, glob, recursive=True))
        elif path.exists():
            out.append(path)
        elif _GLOB_CHARS.search(str(item)):
            found = sorted(p for p in globlib.glob(str(item), recursive=True) if Path(p).is_file())
            if not found:
                raise IngestError(
                    f"No files match the pattern {str(item)!r}; check it and quote it."
                )
            out.extend(Path(p) for p in found)
        else:
            raise IngestError(f"No such file or folder: {item}; check the path.")
    return out


def estimate_total(expanded: list[Any]) -> int | None:
    """Roughly how many articles `expanded` holds (JSONL lines counted), None with stdin."""
    from proplens.ingest import JSONL_SUFFIXES

    total = 0
    for item in expanded:
        if isinstance(item, Path) and item.suffix.lower() in JSONL_SUFFIXES:
            with open(item, "rb") as f:
                total += sum(1 for line in f if line.strip())
        elif str(item) == "-":
            return None
        else:
            total += 1
    return total


def iter_items(expanded: list[Any]) -> Iterator[Item]:
    """Read each input in turn; unreadable files and bad JSONL lines become failed Items."""
    from proplens.ingest import IngestIssue, read_path, read_stdin

    for item in expanded:
        if isinstance(item, Doc):
            yield _item(item.id, item)
            continue
        issues: list[IngestIssue] = []
        name = "<stdin>" if str(item) == "-" else str(item)
        try:
            if name == "<stdin>":
                docs = read_stdin(errors=issues)
            else:
                docs = read_path(item, errors=issues)
        except (ProplensError, OSError) as exc:
            yield Item(name, error=str(exc))
            continue
        lines = _record_lines(item, len(docs), issues)
        for n, doc in zip(lines, docs, strict=False):
            yield _item(name if len(docs) == 1 and not issues else f"{name}:{n}", doc)
        for issue in issues:
            where = f"{name}:{issue.line}" if issue.line is not None else name
            yield Item(where, error=str(issue))


def _item(origin: str | None, doc: Doc) -> Item:
    if not doc.text.strip():
        return Item(origin, doc, "The article is empty.")
    return Item(origin, doc)


def _record_lines(item: Any, n_docs: int, issues: list) -> list[int]:
    """Line numbers of a JSONL file's good records (so failures and fixes share an origin)."""
    if n_docs <= 1 and not issues or not isinstance(item, Path):
        return list(range(1, n_docs + 1))
    from proplens.ingest import decode_bytes

    try:
        text, _ = decode_bytes(item.read_bytes(), str(item))
    except (ProplensError, OSError):
        return list(range(1, n_docs + 1))
    bad = {i.line for i in issues}
    good = [n for n, ln in enumerate(text.split("\n"), 1) if ln.strip() and n not in bad]
    return good if len(good) == n_docs else list(range(1, n_docs + 1))


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
    return shard is None or int(item.key[:15], 16) % shard[1] == shard[0] - 1
