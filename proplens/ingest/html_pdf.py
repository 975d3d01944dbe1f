"""The main text of an HTML page (trafilatura) and the text layer of a PDF (pypdf) as `Doc`s."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from proplens.doc import Doc
from proplens.errors import IngestError
from proplens.ingest.articles import doc_from_text, doc_id_for
from proplens.ingest.decoding import decode_bytes


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
