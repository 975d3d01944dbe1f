"""The reader registry: one input (file, gzip file, stdin bytes) to `Doc`s by kind.

Each kind (plain text, HTML, PDF, JSON, JSON Lines) is a `Reader`: how its content is recognised
(`magic`, `guess`), the extensions it claims, and a `read` that yields the input's articles.
`register_reader` adds a kind; `analyze`, `extract`, `serve` and `batch` all read through here.
A gzip-compressed input (`.jsonl.gz`, `.txt.gz`, or any file starting with the gzip magic bytes)
is read as it is, without unpacking it to disk (`streams.Source`); JSON Lines are streamed one
line at a time, so a dump of any size is read in bounded memory (`json_readers`).

The readers themselves live beside the registry: HTML and PDF in `html_pdf`, JSON and JSON Lines
in `json_readers`; a Doc from text or a record, and the one article-id rule, in `articles`.
"""

from __future__ import annotations

import codecs
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from proplens.doc import Doc
from proplens.errors import IngestError
from proplens.ingest.articles import _has_surrogate, article_id, doc_from_text, doc_id_for
from proplens.ingest.decoding import (
    _HTML_START,
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    TEXT_SUFFIXES,
    IngestIssue,
    IngestWarning,
    _non_blank,
    decode_bytes,
)
from proplens.ingest.html_pdf import _html_doc, _pdf_doc
from proplens.ingest.json_readers import _json_read, _jsonl_read, _looks_like_jsonl
from proplens.ingest.streams import (
    GZIP_MAGIC,
    HEAD_BYTES,
    Part,
    Source,
    strip_compression,
)

# The registry, plus the names `sources`, `api` and the package import from here.
__all__ = [
    "GZIP_MAGIC",
    "READERS",
    "Part",
    "Reader",
    "Source",
    "_has_surrogate",
    "article_id",
    "collect",
    "doc_from_text",
    "doc_id_for",
    "docs_from_bytes",
    "is_supported",
    "no_article",
    "read_source",
    "register_reader",
    "sniff_kind",
    "strip_compression",
    "supported_suffixes",
]


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
