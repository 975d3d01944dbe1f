"""Bytes of one input to `Doc`s by kind: plain text, HTML, PDF, JSON and JSON Lines."""

from __future__ import annotations

import codecs
import io
import json
import logging
import warnings
from pathlib import Path
from typing import Any

from proplens.doc import META_FIELDS, Doc
from proplens.errors import IngestError, ProplensError
from proplens.ingest.decoding import (
    _ARTICLE_ID,
    _HTML_START,
    _SURROGATE,
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    IngestIssue,
    IngestWarning,
    _non_blank,
    decode_bytes,
)


def doc_id_for(name: str) -> str:
    """The id of a file's article: the digits of `article<ID>.txt`, else the file stem."""
    if name == "<stdin>":
        return "stdin"
    stem = Path(name).stem
    m = _ARTICLE_ID.search(stem)
    return m.group(1) if m else stem


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


def _jsonl_docs(data: bytes, name: str, issues: list[IngestIssue]) -> list[Doc]:
    text, _ = decode_bytes(data, name)
    docs: list[Doc] = []
    stem = doc_id_for(name)
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            docs.append(_record_doc(json.loads(line), name, f"{stem}:{n}"))
        except json.JSONDecodeError as exc:
            issues.append(IngestIssue(name, f"not valid JSON ({exc.msg} at column {exc.colno})", n))
        except ValueError as exc:
            issues.append(IngestIssue(name, str(exc), n))
    return docs


def _json_docs(data: bytes, name: str, issues: list[IngestIssue]) -> list[Doc]:
    text, _ = decode_bytes(data, name)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}); fix it or use .jsonl."
        ) from None
    items = obj if isinstance(obj, list) else [obj]
    docs: list[Doc] = []
    stem = doc_id_for(name)
    for n, item in enumerate(items):
        try:
            docs.append(_record_doc(item, name, f"{stem}:{n}" if isinstance(obj, list) else stem))
        except ValueError as exc:
            issues.append(IngestIssue(name, f"item {n}: {exc}"))
    return docs


def _looks_like_jsonl(data: bytes) -> bool:
    first = data.lstrip()[:1]
    if first != b"{":
        return False
    line = data.lstrip().split(b"\n", 1)[0]
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(obj, dict) and "text" in obj


def sniff_kind(data: bytes, name: str) -> str:
    """ "pdf", "html", "jsonl", "json" or "text": content first, then the file extension."""
    suffix = Path(name).suffix.lower()
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    head = data[:4096]
    if _HTML_START.match(head[3:] if head.startswith(codecs.BOM_UTF8) else head):
        return "html"
    if suffix == ".pdf":
        raise IngestError(
            f"{name} has a .pdf extension but is not a PDF (no %PDF header); check the file."
        )
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".json":
        return "json"
    if not suffix and _looks_like_jsonl(data):
        return "jsonl"
    return "text"


def docs_from_bytes(data: bytes, name: str, errors: list[IngestIssue] | None = None) -> list[Doc]:
    """Read the article(s) held in `data`; `name` (a path or "<stdin>") gives the id and extension.

    Args:
        data: File content.
        name: File name, used for the id, the extension and messages.
        errors: Collects skipped JSONL lines; without it they are issued as `IngestWarning`s.
    Returns:
        The documents (one, or one per JSON Lines record).
    """
    kind = sniff_kind(data, name)
    if kind == "pdf":
        return [_pdf_doc(data, name)]
    if kind == "html":
        return [_html_doc(data, name)]
    if kind in ("jsonl", "json"):
        issues: list[IngestIssue] = []
        docs = (_jsonl_docs if kind == "jsonl" else _json_docs)(data, name, issues)
        if not docs:
            if issues:
                raise IngestError(f"No valid article in {name}; the first problem is {issues[0]}.")
            raise IngestError(
                f"{name} is empty; write one JSON object with a `text` field per line."
            )
        _report(issues, errors)
        return docs
    text, encoding = decode_bytes(data, name)
    _non_blank(text, name)
    return [doc_from_text(text, id=doc_id_for(name), path=name, format="text", encoding=encoding)]


def _report(issues: list[IngestIssue], errors: list[IngestIssue] | None) -> None:
    if errors is not None:
        errors.extend(issues)
    else:
        for issue in issues:
            warnings.warn(str(issue), IngestWarning, stacklevel=3)
