"""Read articles into `Doc`s: text in any common encoding, HTML, PDF, JSON (Lines), gzip, stdin.

One input layer for every command: a registry of `Reader`s (kind -> recognise, read) in
`formats`, and the sources (files, folders, globs, stdin, Docs) in `sources`. The kind of a file
is decided by its content first (a PDF or HTML page is recognised whatever its name) and by its
extension second; gzip-compressed files are read as they are. `Doc.text` is the article exactly
as decoded (text files keep every `\\r\\n`), or the text extracted from HTML and PDF;
`proplens.normalize` cleans it later.

Example:
    >>> from proplens.ingest import doc_from_text
    >>> doc_from_text("They are traitors.", id="1").id
    '1'
"""

from __future__ import annotations

from proplens.ingest.decoding import (
    DEFAULT_MAX_BYTES,
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    MAX_BYTES_ENV,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    IngestIssue,
    IngestWarning,
    decode_bytes,
    read_text_file,
    resolve_max_bytes,
    sniff_binary,
)
from proplens.ingest.formats import (
    READERS,
    Reader,
    Source,
    article_id,
    doc_from_text,
    doc_id_for,
    docs_from_bytes,
    is_supported,
    read_source,
    register_reader,
    sniff_kind,
    strip_compression,
)
from proplens.ingest.sources import (
    Record,
    estimate_total,
    expand_inputs,
    iter_docs,
    iter_folder,
    iter_records,
    read_path,
    read_stdin,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "HTML_SUFFIXES",
    "IngestIssue",
    "IngestWarning",
    "JSONL_SUFFIXES",
    "MAX_BYTES_ENV",
    "READERS",
    "Reader",
    "Record",
    "SUPPORTED_SUFFIXES",
    "Source",
    "TEXT_SUFFIXES",
    "article_id",
    "decode_bytes",
    "doc_from_text",
    "doc_id_for",
    "docs_from_bytes",
    "estimate_total",
    "expand_inputs",
    "is_supported",
    "iter_docs",
    "iter_folder",
    "iter_records",
    "read_path",
    "read_source",
    "read_stdin",
    "read_text_file",
    "register_reader",
    "resolve_max_bytes",
    "sniff_binary",
    "sniff_kind",
    "strip_compression",
]
