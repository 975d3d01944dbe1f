"""Where articles come from: a path (file, folder, glob), stdin; issues reported or raised."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from proplens.doc import Doc
from proplens.errors import IngestError
from proplens.ingest.decoding import (
    SUPPORTED_SUFFIXES,
    IngestIssue,
    _read_bytes,
    _too_big,
    resolve_max_bytes,
)
from proplens.ingest.formats import (
    _report,
    docs_from_bytes,
)


def read_path(
    path: str | os.PathLike,
    *,
    max_bytes: int | None = None,
    errors: list[IngestIssue] | None = None,
) -> list[Doc]:
    """Read the article(s) in one file (any supported format).

    Args:
        path: A .txt/.md, .html, .pdf, .jsonl or .json file (a folder is read with `iter_docs`).
        max_bytes: Size limit (default: `PROPLENS_MAX_BYTES` or 20 MB).
        errors: Collects skipped JSONL lines; without it they become `IngestWarning`s.
    Returns:
        The documents read.
    """
    path = Path(path)
    if path.is_dir():
        return list(iter_docs([path], max_bytes=max_bytes, errors=errors))
    return docs_from_bytes(_read_bytes(path, max_bytes), str(path), errors)


def read_stdin(
    *, max_bytes: int | None = None, errors: list[IngestIssue] | None = None
) -> list[Doc]:
    """Read the article(s) piped on standard input (bytes, so any encoding works)."""
    limit = resolve_max_bytes(max_bytes)
    stream = getattr(sys.stdin, "buffer", None)
    data = (
        stream.read(limit + 1) if stream is not None else sys.stdin.read(limit + 1).encode("utf-8")
    )
    if len(data) > limit:
        raise _too_big("Standard input", len(data), limit)
    return docs_from_bytes(data, "<stdin>", errors)


def iter_folder(folder: Path, glob: str = "*", recursive: bool = True) -> list[Path]:
    """Files of a folder matching `glob`, sorted; with the default glob only supported formats."""
    matches = folder.rglob(glob) if recursive else folder.glob(glob)
    files = [
        p
        for p in matches
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and (glob != "*" or p.suffix.lower() in SUPPORTED_SUFFIXES)
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
        elif str(item) == "-":
            yield from read_stdin(max_bytes=max_bytes, errors=errors)
        else:
            path = Path(item)
            if path.is_dir():
                yield from _folder_docs(path, glob, recursive, errors, max_bytes)
            elif not path.exists():
                hint = (
                    " (to analyse a string, wrap it with `doc_from_text`)"
                    if len(str(item)) > 200 or "\n" in str(item)
                    else ""
                )
                raise IngestError(f"No such file or folder: {str(item)[:80]}{hint}.")
            else:
                yield from read_path(path, max_bytes=max_bytes, errors=errors)


def _folder_docs(
    folder: Path,
    glob: str,
    recursive: bool,
    errors: list[IngestIssue] | None,
    max_bytes: int | None,
) -> Iterator[Doc]:
    files = iter_folder(folder, glob, recursive)
    if not files:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise IngestError(
            f"No article files matching {glob!r} in {folder}; expected files ending in {kinds}."
        )
    for path in files:
        try:
            docs = read_path(path, max_bytes=max_bytes, errors=errors)
        except IngestError as exc:
            _report([IngestIssue(str(path), str(exc))], errors)
            continue
        yield from docs
