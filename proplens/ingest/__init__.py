"""Read articles into `Doc`s: text files in any common encoding, HTML, PDF, JSON Lines, stdin.

The kind of a file is decided by its content first (a PDF or HTML page is recognised whatever its
name) and by its extension second. `Doc.text` is the article exactly as decoded (text files keep
every `\\r\\n`), or the text extracted from HTML and PDF; `proplens.normalize` cleans it later.

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
    doc_from_text,
    doc_id_for,
    docs_from_bytes,
    sniff_kind,
)
from proplens.ingest.sources import (
    iter_docs,
    iter_folder,
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
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "decode_bytes",
    "doc_from_text",
    "doc_id_for",
    "docs_from_bytes",
    "iter_docs",
    "iter_folder",
    "read_path",
    "read_stdin",
    "read_text_file",
    "resolve_max_bytes",
    "sniff_binary",
    "sniff_kind",
]
