"""The reader registry: one input (file, gzip file, stdin bytes) to `Doc`s by kind.

Each kind (plain text, HTML, PDF, JSON, JSON Lines) is a `Reader`: how its content is recognised
(`magic`, `guess`), the extensions it claims, and a `read` that yields the input's articles.
`register_reader` adds a kind; `analyze`, `extract`, `serve` and `batch` all read through here.
A gzip-compressed input (`.jsonl.gz`, `.txt.gz`, or any file starting with the gzip magic bytes)
is read as it is, without unpacking it to disk; JSON Lines are streamed one line at a time, so a
dump of any size is read in bounded memory.

One article-id rule (`article_id`): a record's own `id` when it has one; else the file name
without its compression and format extensions (`article123.txt` gives `123`), followed by
`:<n>` for the n-th record (its line number in JSON Lines, counted from 1; its position in a
JSON array, from 1).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import logging
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from proplens.doc import META_FIELDS, Doc
from proplens.errors import IngestError, ProplensError
from proplens.ingest.decoding import (
    _ARTICLE_ID,
    _HTML_START,
    _SURROGATE,
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    TEXT_SUFFIXES,
    IngestIssue,
    IngestWarning,
    _non_blank,
    _read_bytes,
    _utf16_without_bom,
    decode_bytes,
    resolve_max_bytes,
)

GZIP_MAGIC = b"\x1f\x8b"
COMPRESSED_SUFFIXES = frozenset({".gz"})
HEAD_BYTES = 65536  # enough to recognise a kind and to see a whole first JSON Lines record


def strip_compression(name: str) -> str:
    """`name` without a compression extension: `feed.jsonl.gz` gives `feed.jsonl`."""
    path = Path(name)
    return str(path.with_suffix("")) if path.suffix.lower() in COMPRESSED_SUFFIXES else name


def article_id(name: str, part: int | None = None) -> str:
    """The id of an article that has none of its own (the one article-id rule).

    Args:
        name: The input's file name, or "<stdin>".
        part: The record's number in a file that holds several (line number in JSON Lines).
    Returns:
        The file stem without compression and format extensions (the digits of `article<ID>`
        when the stem looks like that; "stdin" for standard input), then `:<part>` if given.

    Example:
        >>> article_id("dumps/feed.jsonl.gz", 7), article_id("article111.txt")
        ('feed:7', '111')
    """
    if name == "<stdin>":
        stem = "stdin"
    else:
        stem = Path(strip_compression(name)).stem
        m = _ARTICLE_ID.search(stem)
        stem = m.group(1) if m else stem
    return stem if part is None else f"{stem}:{part}"


def doc_id_for(name: str) -> str:
    """The id of a file's only article (`article_id` without a part)."""
    return article_id(name)


def doc_from_text(text: str, **meta: Any) -> Doc:
    """Make a `Doc` from a string; keys other than id/title/source/url/date/author go to `extra`.

    Raises:
        IngestError: The text is not a string or is blank.
    """
    if not isinstance(text, str):
        raise IngestError(f"An article's text must be a string, not {type(text).__name__}.")
    _non_blank(text, "The text")
    doc = Doc(text=text, extra={k: v for k, v in meta.items() if k not in META_FIELDS})
    for key in META_FIELDS:
        if meta.get(key) is not None:
            setattr(doc, key, str(meta[key]))
    return doc


def _html_doc(data: bytes, name: str) -> Doc:
    import trafilatura

    html, encoding = decode_bytes(data, name)
    out = trafilatura.extract(html, output_format="json", with_metadata=True, favor_recall=True)
    found = json.loads(out) if out else {}
    lines = [ln.strip() for ln in (found.get("text") or "").split("\n")]
    text = "\n\n".join(ln for ln in lines if ln)  # trafilatura puts one block per line
    if not text:
        raise IngestError(
            f"No main text found in the HTML page {name}; save the article text as .txt instead."
        )
    return doc_from_text(
        text,
        id=doc_id_for(name),
        title=found.get("title"),
        author=found.get("author"),
        date=found.get("date"),
        url=found.get("source") or found.get("url"),
        source=found.get("sitename") or found.get("source-hostname") or found.get("hostname"),
        path=name,
        format="html",
        encoding=encoding,
    )


def _pdf_doc(data: bytes, name: str) -> Doc:
    """PDF text, pages joined by a form feed (which `normalize` treats as a line break)."""
    import pypdf
    from pypdf.errors import DependencyError, PdfReadError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(
                f"{name} is a password-protected PDF; decrypt it first (e.g. `qpdf --decrypt`) "
                "and try again."
            )
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except DependencyError as exc:
        raise IngestError(
            f"{name} needs an extra package to be read ({exc}); install it with pip and try again."
        ) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise IngestError(
            f"{name} is not a readable PDF ({str(exc).rstrip('.')}); "
            "it may be truncated or damaged, so re-export it and try again."
        ) from None
    except PyPdfError as exc:
        raise IngestError(f"{name} could not be read as a PDF ({exc}).") from None
    except IngestError:
        raise
    except Exception as exc:  # pypdf fails on damaged files with bare asserts, IndexError...
        raise IngestError(
            f"{name} is not a readable PDF (the PDF parser failed with {type(exc).__name__}); "
            "it may be damaged, so re-export it and try again."
        ) from None
    text = "\f".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise IngestError(
            f"No text found in {name}: it may be a scanned PDF without a text layer; run OCR first "
            "(e.g. `ocrmypdf`)."
        )
    meta: dict[str, Any] = {}
    if info:
        meta["title"] = info.title or None
        meta["author"] = info.author or None
        try:
            meta["date"] = info.creation_date.date().isoformat() if info.creation_date else None
        except (ValueError, AttributeError):
            meta["date"] = None
    return doc_from_text(
        text, id=doc_id_for(name), path=name, format="pdf", pages=len(pages), **meta
    )


def _record_doc(obj: Any, name: str, default_id: str) -> Doc:
    """A Doc from one JSON object; raises ValueError with a short reason."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    if not isinstance(obj.get("text"), str) or not obj["text"].strip():
        raise ValueError("needs a non-empty `text` string")
    if _has_surrogate(obj):
        raise ValueError(
            "holds a lone surrogate escape (such as \\ud83d), which is not valid Unicode; "
            "fix the program that wrote it"
        )
    if "spans" in obj:
        try:
            doc = Doc.from_json(obj)
        except (ProplensError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"bad `spans`: {exc}") from None
    else:
        doc = doc_from_text(obj["text"], **{k: v for k, v in obj.items() if k != "text"})
    doc.id = doc.id if doc.id is not None else default_id
    return doc


def _has_surrogate(value: Any) -> bool:
    """True when a decoded JSON value holds a lone surrogate (from an escape like \\udc00)."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


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


@dataclass(frozen=True)
class Reader:
    """How to recognise and read one kind of input.

    Args:
        kind: The kind's name ("jsonl", "pdf", ...).
        read: `read(source, max_bytes)` yields `(part, Doc or IngestIssue)` pairs; `part` is the
            record's number in a file that holds several articles, else None.
        suffixes: File extensions of the kind (lower case, with the dot).
        magic: Content that is this kind whatever the file is called (a PDF header, an HTML tag).
        guess: Content that is this kind when the file name has no extension.
        mismatch: For a kind with `magic`: why a file with its extension but without its magic
            is refused (None: such a file is simply read as this kind).
        many: A file of this kind may hold several articles.
    """

    kind: str
    read: Callable[[Source, int | None], Iterator[Part]]
    suffixes: frozenset[str] = field(default_factory=frozenset)
    magic: Callable[[bytes], bool] | None = None
    guess: Callable[[bytes], bool] | None = None
    mismatch: str | None = None
    many: bool = False


READERS: dict[str, Reader] = {}


def register_reader(reader: Reader) -> Reader:
    """Add (or replace) the reader of `reader.kind`; magic checks run in registration order."""
    READERS[reader.kind] = reader
    return reader


def supported_suffixes() -> frozenset[str]:
    """Every extension a registered reader claims (without compression extensions)."""
    return frozenset(s for r in READERS.values() for s in r.suffixes)


def is_supported(name: str) -> bool:
    """True when a file called `name` is picked up from a folder (compressed ones too)."""
    return Path(strip_compression(name)).suffix.lower() in supported_suffixes()


def sniff_kind(data: bytes, name: str) -> str:
    """The kind of an input: its content first, then its extension (compression ignored).

    Raises:
        IngestError: The extension promises a kind whose content is missing (a `.pdf` that is
            not a PDF).
    """
    suffix = Path(strip_compression(name)).suffix.lower()
    head = data[:HEAD_BYTES]
    for reader in READERS.values():
        if reader.magic is not None and reader.magic(head):
            return reader.kind
    for reader in READERS.values():
        if suffix in reader.suffixes:
            if reader.magic is not None and reader.mismatch:
                raise IngestError(
                    f"{name} has a {suffix} extension but is not a {reader.kind.upper()} "
                    f"({reader.mismatch}); check the file."
                )
            return reader.kind
    if not suffix:
        for reader in READERS.values():
            if reader.guess is not None and reader.guess(head):
                return reader.kind
    return "text"


def read_source(source: Source, max_bytes: int | None = None) -> Iterator[Part]:
    """The articles of one input, as `(part, Doc or IngestIssue)` pairs, streamed.

    Raises:
        IngestError: The input as a whole cannot be read (damaged, too big, not text).
    """
    reader = READERS[sniff_kind(source.head(), source.inner)]
    yield from reader.read(source, max_bytes)


# --- the readers ----------------------------------------------------------------------------


def _whole(make: Callable[[bytes, str], Doc]) -> Callable[[Source, int | None], Iterator[Part]]:
    def read(source: Source, max_bytes: int | None) -> Iterator[Part]:
        yield None, make(source.read_all(max_bytes), source.name)

    return read


def _text_doc(data: bytes, name: str) -> Doc:
    text, encoding = decode_bytes(data, name)
    _non_blank(text, name)
    return doc_from_text(text, id=article_id(name), path=name, format="text", encoding=encoding)


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


def _is_html(head: bytes) -> bool:
    return bool(_HTML_START.match(head[3:] if head.startswith(codecs.BOM_UTF8) else head[:4096]))


register_reader(
    Reader(
        "pdf",
        _whole(lambda data, name: _pdf_doc(data, name)),
        frozenset({".pdf"}),
        magic=lambda head: head[:1024].lstrip().startswith(b"%PDF-"),
        mismatch="no %PDF header",
    )
)
register_reader(
    Reader(
        "html",
        _whole(lambda data, name: _html_doc(data, name)),
        HTML_SUFFIXES,
        magic=_is_html,
    )
)
register_reader(Reader("jsonl", _jsonl_read, JSONL_SUFFIXES, guess=_looks_like_jsonl, many=True))
register_reader(Reader("json", _json_read, frozenset({".json"}), many=True))
register_reader(Reader("text", _whole(_text_doc), TEXT_SUFFIXES))


def docs_from_bytes(data: bytes, name: str, errors: list[IngestIssue] | None = None) -> list[Doc]:
    """Read the article(s) held in `data` (gzip-compressed or not); `name` gives id and kind.

    Args:
        data: File content.
        name: File name (a path or "<stdin>"), used for the id, the extension and messages.
        errors: Collects skipped records; without it they are issued as `IngestWarning`s.
    Returns:
        The documents (one, or one per JSON Lines record).
    Raises:
        IngestError: Nothing in `data` can be read as an article.
    """
    from proplens.iohelpers import display_path

    name = display_path(name)  # a file name that is not UTF-8 must not reach ids and messages
    return collect(Source(name, data=data), None, errors)


def collect(
    source: Source, max_bytes: int | None, errors: list[IngestIssue] | None = None
) -> list[Doc]:
    """Every article of `source` as a list; raises when there is none."""
    docs: list[Doc] = []
    issues: list[IngestIssue] = []
    for _, got in read_source(source, max_bytes):
        (docs if isinstance(got, Doc) else issues).append(got)  # type: ignore[arg-type]
    if not docs:
        raise IngestError(no_article(source.name, issues))
    _report(issues, errors)
    return docs


def no_article(name: str, issues: list[IngestIssue]) -> str:
    """The message for an input that holds no readable article."""
    if issues:
        if len(issues) == 1 and issues[0].line is None:
            return str(issues[0])
        return f"No valid article in {name}; the first problem is {issues[0]}."
    return f"{name} is empty; write one JSON object with a `text` field per line."


def _report(issues: list[IngestIssue], errors: list[IngestIssue] | None) -> None:
    if errors is not None:
        errors.extend(issues)
    else:
        for issue in issues:
            warnings.warn(str(issue), IngestWarning, stacklevel=3)
