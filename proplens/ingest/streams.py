"""One input's bytes (a file, standard input, an upload), uncompressed on the fly when gzipped.

A gzip-compressed input (`.jsonl.gz`, `.txt.gz`, or any file starting with the gzip magic bytes)
is read as it is, without unpacking it to disk; a damaged one is an `IngestError` naming it.
"""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path
from typing import IO, Any

from proplens.doc import Doc
from proplens.errors import IngestError
from proplens.ingest.decoding import IngestIssue, _read_bytes, resolve_max_bytes

GZIP_MAGIC = b"\x1f\x8b"
COMPRESSED_SUFFIXES = frozenset({".gz"})
HEAD_BYTES = 65536  # enough to recognise a kind and to see a whole first JSON Lines record


def strip_compression(name: str) -> str:
    """`name` without a compression extension: `feed.jsonl.gz` gives `feed.jsonl`."""
    path = Path(name)
    return str(path.with_suffix("")) if path.suffix.lower() in COMPRESSED_SUFFIXES else name


Part = tuple[int | None, "Doc | IngestIssue"]


class Source:
    """One input's bytes, uncompressed on the fly when they start with the gzip magic bytes.

    Args:
        name: The file name (or "<stdin>"), for ids, extensions and messages.
        path: The file to read, or None when `data` is given.
        data: The bytes themselves (standard input, an upload).
    """

    def __init__(self, name: str, path: Path | None = None, data: bytes | None = None) -> None:
        self.name, self.path, self.data = name, path, data
        if data is not None:
            first = data[:2]
        else:
            assert path is not None
            with open(path, "rb") as f:
                first = f.read(2)
        self.gzip = first == GZIP_MAGIC
        self.inner = strip_compression(name) if self.gzip else name
        self._head: bytes | None = None

    def open(self) -> IO[bytes]:
        """A binary stream of the (uncompressed) content; close it after use."""
        if self.data is not None:
            raw: IO[bytes] = io.BytesIO(self.data)
        else:
            assert self.path is not None
            raw = open(self.path, "rb")  # noqa: SIM115 - the caller closes it
        return gzip.GzipFile(fileobj=raw, mode="rb") if self.gzip else raw  # type: ignore[return-value]

    def head(self, size: int = HEAD_BYTES) -> bytes:
        """The first `size` uncompressed bytes (to recognise the kind)."""
        if self._head is None:
            if self.data is not None and not self.gzip:
                self._head = self.data[:size]
            else:
                with self._guarded(), self.open() as f:
                    self._head = f.read(size)
        return self._head or b""

    def read_all(self, max_bytes: int | None) -> bytes:
        """All the uncompressed bytes, refused when more than the size limit."""
        if not self.gzip:
            if self.data is not None:
                return self.data
            assert self.path is not None
            return _read_bytes(self.path, max_bytes)
        limit = resolve_max_bytes(max_bytes)
        with self._guarded(), self.open() as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise IngestError(
                f"{self.name} holds more than {limit:,} bytes once uncompressed, over the limit; "
                "raise it with `--max-bytes` or the PROPLENS_MAX_BYTES environment variable."
            )
        return data

    def _guarded(self) -> _GzipErrors:
        return _GzipErrors(self.name)


class _GzipErrors:
    """Turn a damaged gzip stream into an `IngestError` that names the file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if isinstance(exc, (OSError, EOFError, zlib.error)) and not isinstance(
            exc, FileNotFoundError
        ):
            raise IngestError(_damaged(self.name, exc)) from None


def _damaged(name: str, exc: BaseException) -> str:
    why = str(exc).rstrip(".") or type(exc).__name__
    return (
        f"{name} is a damaged or truncated gzip file ({why}); download or compress it again "
        "(`gzip -t FILE` checks one)."
    )
