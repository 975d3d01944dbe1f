"""Where articles come from: files, folders, glob patterns, stdin and ready-made `Doc`s.

This is the one input layer: `iter_records` streams `Record`s (an article, or the reason a part of
an input could not be read) for `batch`, and `iter_docs` / `read_path` / `read_stdin` give the
`Doc`s that `analyze`, `extract` and `serve` use. Each file is read once, in one pass.
"""

from __future__ import annotations

import glob as globlib
import hashlib
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proplens.doc import Doc
from proplens.errors import IngestError
from proplens.ingest.decoding import (
    IngestIssue,
    _too_big,
    resolve_max_bytes,
)
from proplens.ingest.formats import (
    GZIP_MAGIC,
    READERS,
    Source,
    _report,
    collect,
    is_supported,
    no_article,
    read_source,
    sniff_kind,
    strip_compression,
    supported_suffixes,
)

_GLOB_CHARS = re.compile(r"[*?[]")
_HELD_ISSUES = 1000  # bad lines held back until a file shows one good article


@dataclass
class Record:
    """One article read from an input, or a part of an input that could not be read.

    Args:
        origin: Where it came from: the file, `file:<line>` for one record of several,
            "<stdin>", or a ready-made Doc's id.
        doc: The article (None when nothing could be read).
        error: Why it cannot be analysed, as a sentence (None for a good article).
        whole: The error concerns the whole input (an unreadable file), not one record.
        issue: The skipped part as an `IngestIssue` (file and line), for failed records.
    """

    origin: str | None
    doc: Doc | None = None
    error: str | None = None
    whole: bool = False
    issue: IngestIssue | None = None

    @property
    def key(self) -> str:
        """Stable identity for sharding: the content hash, or a hash of the origin."""
        if self.doc is not None:
            return self.doc.content_hash
        return hashlib.sha256(str(self.origin).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Url:
    """A web address to fetch as one article (an input, or a line of a `.urls` file)."""

    url: str

    def __str__(self) -> str:
        return self.url


URL_LIST_SUFFIX = ".urls"


def expand_inputs(
    inputs: Iterable[str | os.PathLike | Doc] | str | os.PathLike | Doc,
    glob: str = "*",
    recursive: bool = True,
) -> list[Any]:
    """Files (folders searched, `glob` inside them), glob patterns, `"-"`, Docs and web
    addresses (`http(s)://…`, or a `.urls` file of them, one a line), in order.

    Raises:
        IngestError: An input does not exist, a pattern matches nothing, or a folder holds no
            article file.
    """
    if isinstance(inputs, (str, os.PathLike, Doc)):
        inputs = [inputs]
    out: list[Any] = []
    for item in inputs:
        if isinstance(item, (Doc, Url)) or str(item) == "-":
            out.append(item)
            continue
        from proplens.ingest.fetch import is_url, read_url_list

        if is_url(str(item)):
            out.append(Url(str(item)))
            continue
        path = Path(item)
        if path.suffix == URL_LIST_SUFFIX and path.is_file():
            out.extend(Url(u) for u in read_url_list(path))
            continue
        if path.is_dir():
            files = iter_folder(path, glob, recursive)
            if not files:
                kinds = ", ".join(sorted(supported_suffixes()))
                raise IngestError(
                    f"No article files matching {glob!r} in {path}; expected files ending in "
                    f"{kinds} (or the same compressed with gzip, .gz)."
                )
            out.extend(files)
        elif path.exists() or path.is_symlink():
            out.append(path)
        elif _GLOB_CHARS.search(str(item)) and len(str(item)) < 4096:
            found = sorted(p for p in globlib.glob(str(item), recursive=True) if Path(p).is_file())
            if not found:
                raise IngestError(
                    f"No files match the pattern {str(item)!r}; check it and quote it."
                )
            out.extend(Path(p) for p in found)
        else:
            hint = (
                " (to analyse a string, wrap it with `doc_from_text`)"
                if len(str(item)) > 200 or "\n" in str(item)
                else ""
            )
            raise IngestError(f"No such file or folder: {str(item)[:80]}{hint}.")
    return out


def iter_records(
    inputs: Iterable[Any] | str | os.PathLike | Doc,
    *,
    glob: str = "*",
    recursive: bool = True,
    max_bytes: int | None = None,
) -> Iterator[Record]:
    """Stream the articles of every input as `Record`s; nothing is held beyond one record.

    An input that cannot be read at all gives one failed Record (`whole=True`); a bad record in
    a JSON Lines file gives a failed Record with origin `file:<line>` and the rest still load.

    Args:
        inputs: Paths, folders, glob patterns, `"-"` or `Doc`s (already expanded ones too).
        glob: File pattern inside folders.
        recursive: Also look in sub-folders.
        max_bytes: Size limit per input, per record for JSON Lines (default: 20 MB).
    Yields:
        One Record per article or unreadable part, in input order.
    """
    for item in expand_inputs(inputs, glob, recursive):
        if isinstance(item, Doc):
            yield _record(item.id, item)
        elif isinstance(item, Url):
            yield _url_record(item.url)
        else:
            yield from _file_records(item, max_bytes)


def _url_record(url: str) -> Record:
    """Fetch one address; a failure is a failed Record with its reason (the batch goes on)."""
    from proplens.ingest.fetch import FetchError, doc_from_url

    try:
        return _record(url, doc_from_url(url))
    except FetchError as exc:
        reason = str(exc).rstrip(".") + "."
        return Record(url, None, reason, issue=IngestIssue(url, reason.rstrip(".")))


def _record(origin: str | None, doc: Doc) -> Record:
    if not doc.text.strip():
        return Record(origin, doc, "The article is empty.")
    return Record(origin, doc)


def _file_records(item: Any, max_bytes: int | None) -> Iterator[Record]:
    from proplens.iohelpers import display_path

    name = "<stdin>" if str(item) == "-" else display_path(item)
    try:
        source = _stdin_source(max_bytes) if name == "<stdin>" else Source(name, path=Path(item))
        parts = read_source(source, max_bytes)
        held: list[IngestIssue] = []  # bad lines before the first good article
        first: tuple[int | None, Doc] | None = None
        seen_doc = False
        for part, got in parts:
            if isinstance(got, IngestIssue):
                if seen_doc or len(held) >= _HELD_ISSUES:
                    yield from _flush(name, first, held, single=False)
                    first, seen_doc = None, True
                    yield _issue_record(name, got)
                else:
                    held.append(got)
                continue
            if first is None and not seen_doc and not held:
                first = (part, got)  # held back: the origin is the bare file name if it is alone
                continue
            yield from _flush(name, first, held, single=False)
            first, seen_doc = None, True
            yield _record(f"{name}:{part}" if part is not None else name, got)
        if first is not None:
            yield from _flush(name, first, held, single=True)
        elif not seen_doc:
            yield Record(name, error=no_article(name, held), whole=True)
    except (IngestError, OSError) as exc:
        yield Record(name, error=_why(exc), whole=True)


def _flush(
    name: str, first: tuple[int | None, Doc] | None, held: list[IngestIssue], single: bool
) -> Iterator[Record]:
    if first is not None:
        part, doc = first
        yield _record(name if single or part is None else f"{name}:{part}", doc)
    for issue in held:
        yield _issue_record(name, issue)
    held.clear()


def _issue_record(name: str, issue: IngestIssue) -> Record:
    origin = f"{name}:{issue.line}" if issue.line is not None else name
    return Record(origin, error=str(issue), issue=issue)


def _why(exc: BaseException) -> str:
    if isinstance(exc, IngestError):
        return str(exc)
    return f"Could not read the file ({exc.strerror or exc}); check that it exists and is readable."  # type: ignore[attr-defined]


def _stdin_source(max_bytes: int | None) -> Source:
    limit = resolve_max_bytes(max_bytes)
    stream = getattr(sys.stdin, "buffer", None)
    data = (
        stream.read(limit + 1) if stream is not None else sys.stdin.read(limit + 1).encode("utf-8")
    )
    if len(data) > limit:
        raise _too_big("Standard input", len(data), limit)
    return Source("<stdin>", data=data)


def read_path(
    path: str | os.PathLike,
    *,
    max_bytes: int | None = None,
    errors: list[IngestIssue] | None = None,
) -> list[Doc]:
    """Read the article(s) in one file (any supported format, gzip-compressed or not).

    Args:
        path: A .txt/.md, .html, .pdf, .jsonl or .json file, or any of them as .gz (a folder is
            read with `iter_docs`).
        max_bytes: Size limit (default: `PROPLENS_MAX_BYTES` or 20 MB); per record for JSON Lines.
        errors: Collects skipped JSONL lines; without it they become `IngestWarning`s.
    Returns:
        The documents read.
    Raises:
        IngestError: The file cannot be read or holds no article.
    """
    from proplens.ingest.decoding import _read_bytes
    from proplens.iohelpers import display_path

    path = Path(path)
    if path.is_dir():
        return list(iter_docs([path], max_bytes=max_bytes, errors=errors))
    if not path.exists():
        _read_bytes(path, max_bytes)  # raises the right message (missing file, broken link)
    return collect(Source(display_path(path), path=path), max_bytes, errors)


def read_stdin(
    *, max_bytes: int | None = None, errors: list[IngestIssue] | None = None
) -> list[Doc]:
    """Read the article(s) piped on standard input (bytes, so any encoding or gzip works)."""
    return collect(_stdin_source(max_bytes), max_bytes, errors)


def iter_folder(folder: Path, glob: str = "*", recursive: bool = True) -> list[Path]:
    """Files of a folder matching `glob`, sorted; with the default glob only supported formats.

    Symbolic links are followed only to files inside the folder: a folder unpacked from an
    archive must not make proplens read (and store) files from anywhere else on the machine.
    """
    matches = folder.rglob(glob) if recursive else folder.glob(glob)
    inside = folder.resolve()
    files = [
        p
        for p in matches
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and (glob != "*" or is_supported(p.name))
        and p.resolve().is_relative_to(inside)
    ]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def iter_docs(
    inputs: Iterable[str | os.PathLike | Doc] | str | os.PathLike | Doc,
    *,
    glob: str = "*",
    recursive: bool = True,
    errors: list[IngestIssue] | None = None,
    max_bytes: int | None = None,
) -> Iterator[Doc]:
    """Yield the articles of files, folders, stdin (`"-"`) and ready-made `Doc`s, in order.

    A file named directly that cannot be read raises `IngestError`. Inside a folder, an unreadable
    file is skipped and reported like a bad JSONL line (in `errors`, else as an `IngestWarning`).

    Args:
        inputs: Paths, `"-"`, or `Doc`s (make one from a string with `doc_from_text`).
        glob: File pattern inside folders; the default `*` takes every supported format.
        recursive: Also look in sub-folders.
        errors: Collects skipped parts (`IngestIssue`s).
        max_bytes: Size limit per input (default: `PROPLENS_MAX_BYTES` or 20 MB).
    Yields:
        One `Doc` per article; folders in sorted path order.
    """
    if isinstance(inputs, (str, os.PathLike, Doc)):
        inputs = [inputs]
    for item in inputs:
        if isinstance(item, Doc):
            yield item
            continue
        named_file = str(item) == "-" or not Path(item).is_dir()
        for rec in iter_records([item], glob=glob, recursive=recursive, max_bytes=max_bytes):
            if rec.error is None and rec.doc is not None:
                yield rec.doc
            elif rec.whole and named_file:
                raise IngestError(rec.error or "The input could not be read.")
            elif rec.doc is not None and rec.error:  # an empty ready-made article
                yield rec.doc
            else:
                _report([rec.issue or IngestIssue(str(rec.origin), str(rec.error))], errors)


def estimate_total(expanded: list[Any], head_bytes: int = 1 << 18) -> int | None:
    """About how many articles `expanded` holds, from the first 256 KB of each JSON Lines file.

    A file is never read in full here: the number of records is extrapolated from its head, so
    the progress bar's total (and ETA) is an estimate. None when standard input is among them.
    """
    total = 0
    for item in expanded:
        if str(item) == "-":
            return None
        if not isinstance(item, Path) or not _many(item):
            total += 1
            continue
        try:
            total += _estimate_records(item, head_bytes)
        except (OSError, EOFError, IngestError):
            total += 1
    return total


def _many(path: Path) -> bool:
    """True for a JSON Lines file (one record a line), judged by its name."""
    try:
        kind = sniff_kind(b"", strip_compression(path.name))
    except IngestError:
        return False
    return kind == "jsonl" and READERS[kind].many


def _estimate_records(path: Path, head_bytes: int) -> int:
    size = path.stat().st_size
    with open(path, "rb") as raw:
        if raw.read(2) == GZIP_MAGIC:
            raw.seek(0)
            unzip, head, consumed = zlib.decompressobj(wbits=31), b"", 0
            while len(head) < head_bytes and (chunk := raw.read(4096)):
                head += unzip.decompress(chunk)
                consumed += len(chunk)
            finished = consumed >= size
        else:
            head = raw.read(head_bytes)
            finished, consumed = len(head) >= size, len(head)
    lines = head.count(b"\n") + (0 if head.endswith(b"\n") or not head else 1)
    if finished or not consumed:
        return max(1, lines)
    return max(1, round(lines * size / consumed))
