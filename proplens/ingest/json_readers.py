"""The JSON and JSON Lines readers: JSON Lines streamed one line at a time (bounded memory), a
bad line skipped with its number; a JSON file holds one object or an array of them."""

from __future__ import annotations

import codecs
import json
import zlib
from collections.abc import Iterator

from proplens.errors import IngestError
from proplens.ingest.articles import _record_doc, article_id
from proplens.ingest.decoding import (
    IngestIssue,
    _utf16_without_bom,
    decode_bytes,
    resolve_max_bytes,
)
from proplens.ingest.streams import Part, Source, _damaged


def _parse_record(line: str, name: str, n: int) -> Part:
    try:
        return n, _record_doc(json.loads(line), name, article_id(name, n))
    except json.JSONDecodeError as exc:
        return n, IngestIssue(name, f"not valid JSON ({exc.msg} at column {exc.colno})", n)
    except ValueError as exc:
        return n, IngestIssue(name, str(exc), n)


def _jsonl_read(source: Source, max_bytes: int | None) -> Iterator[Part]:
    head = source.head()
    wide = head.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
    )
    if wide or _utf16_without_bom(head):  # rare: decode the whole file (within the size limit)
        text, _ = decode_bytes(source.read_all(max_bytes), source.name, allow_nul=True)
        lines: Iterator[tuple[int, str | IngestIssue]] = enumerate(text.split("\n"), start=1)
    else:
        lines = _utf8_lines(source, resolve_max_bytes(max_bytes))
    for n, line in lines:
        if isinstance(line, IngestIssue):
            yield n, line
        elif not line.strip():
            continue
        elif "\x00" in line:  # one damaged line is skipped, not the whole file
            yield n, IngestIssue(source.name, "holds a NUL byte, so it is not JSON text", n)
        else:
            yield _parse_record(line, source.name, n)


def _utf8_lines(source: Source, limit: int) -> Iterator[tuple[int, str | IngestIssue]]:
    """The lines of a JSON Lines input, read one at a time (bounded memory)."""
    name, n = source.name, 0
    with source.open() as f:
        while True:
            try:
                raw = f.readline(limit + 1)
                if len(raw) > limit and not raw.endswith(b"\n"):
                    while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass
                    n += 1
                    yield (
                        n,
                        IngestIssue(
                            name,
                            f"is over the limit of {limit:,} bytes for one record; raise it with "
                            "`--max-bytes` or the PROPLENS_MAX_BYTES environment variable",
                            n,
                        ),
                    )
                    continue
            except (OSError, EOFError, zlib.error) as exc:
                yield (
                    n + 1,
                    IngestIssue(
                        name, _damaged(name, exc).rstrip(".") + f"; lines 1-{n} were read", n + 1
                    ),
                )
                return
            if not raw:
                return
            n += 1
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield n, raw.decode("utf-8")
            except UnicodeDecodeError:
                try:  # JSON Lines should be UTF-8; take a legacy encoding line by line
                    yield n, decode_bytes(raw, name, allow_nul=True)[0]
                except IngestError:
                    yield n, IngestIssue(name, "is not text in UTF-8 or a known encoding", n)


def _json_read(source: Source, max_bytes: int | None) -> Iterator[Part]:
    name = source.name
    text, _ = decode_bytes(source.read_all(max_bytes), name)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}); fix it or use .jsonl."
        ) from None
    if not isinstance(obj, list):
        try:
            yield None, _record_doc(obj, name, article_id(name))
        except ValueError as exc:
            yield None, IngestIssue(name, str(exc))
        return
    for n, item in enumerate(obj, start=1):
        try:
            yield n, _record_doc(item, name, article_id(name, n))
        except ValueError as exc:
            yield n, IngestIssue(name, f"item {n}: {exc}")


def _looks_like_jsonl(data: bytes) -> bool:
    if data.lstrip()[:1] != b"{":
        return False
    line = data.lstrip().split(b"\n", 1)[0]
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(obj, dict) and "text" in obj
