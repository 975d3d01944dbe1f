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

import codecs
import io
import json
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proplens.doc import META_FIELDS, Doc
from proplens.errors import IngestError, ProplensError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_BYTES_ENV = "PROPLENS_MAX_BYTES"
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | {".pdf", ".json"}

_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx/.epub file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF-", "a PDF document"),
    (b"\x7fELF", "a program (ELF binary)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"),
)
_HTML_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_ARTICLE_ID = re.compile(r"article(\d+)$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_WESTERN = frozenset(
    "\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞß"
    "àáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
)


@dataclass(frozen=True)
class IngestIssue:
    """A part of an input that was skipped (a bad JSONL line, an unreadable file in a folder)."""

    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}, line {self.line}" if self.line is not None else self.source
        if self.line is None and self.message.startswith(str(self.source)):
            return self.message  # the message already names the file
        return f"{where}: {self.message}"


class IngestWarning(UserWarning):
    """Issued for each skipped part of an input when no `errors` list is given."""


def resolve_max_bytes(max_bytes: int | None = None) -> int:
    """The size limit: `max_bytes` if given, else `PROPLENS_MAX_BYTES`, else `DEFAULT_MAX_BYTES`."""
    if max_bytes is not None:
        return int(max_bytes)
    env = os.environ.get(MAX_BYTES_ENV)
    if env:
        try:
            return int(env)
        except ValueError:
            raise IngestError(
                f"{MAX_BYTES_ENV} must be a whole number of bytes, not {env!r}."
            ) from None
    return DEFAULT_MAX_BYTES


def _too_big(name: str, size: int, limit: int) -> IngestError:
    return IngestError(
        f"{name} is {size:,} bytes, over the limit of {limit:,} bytes; raise it with `--max-bytes` "
        f"or the {MAX_BYTES_ENV} environment variable."
    )


def _read_bytes(path: Path, max_bytes: int | None) -> bytes:
    limit = resolve_max_bytes(max_bytes)
    if not path.exists():
        raise IngestError(f"No such file or folder: {path}.")
    if path.is_dir():
        raise IngestError(f"{path} is a folder; pass a file, or use `iter_docs` to read a folder.")
    size = path.stat().st_size
    if size > limit:
        raise _too_big(str(path), size, limit)
    return path.read_bytes()


# --- decoding -----------------------------------------------------------------------------------


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on one parity only, as in mostly-ASCII UTF-16."""
    head = data[:4096]
    if len(head) < 4 or len(data) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def sniff_binary(data: bytes) -> str | None:
    """What binary data looks like ("a PNG image"...), or None without a known magic number."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def decode_bytes(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode article bytes, detecting the encoding; newlines are kept exactly.

    Args:
        data: The raw bytes.
        name: The file name used in error messages.
    Returns:
        `(text, encoding)`; a byte-order mark is removed from the text.
    Raises:
        IngestError: The bytes are binary or match no encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding + "-sig"
            except UnicodeDecodeError as exc:
                raise IngestError(
                    f"{name} starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} (byte {exc.start + len(bom)}); re-save it as UTF-8."
                ) from None
    what = sniff_binary(data)
    if what:
        raise IngestError(
            f"{name} looks like {what}, not text; convert it to a .txt, .html or .pdf article."
        )
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise IngestError(
            f"{name} contains NUL bytes, so it is a binary file, not text; "
            "pass a text, HTML or PDF article."
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    western = _plausible_cp1252(data)
    if western is not None:
        return western, "cp1252"
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    text = data.decode(best.encoding) if best is not None and best.encoding else None
    if text is None or best.chaos > 0.2 or _CONTROL.search(text):  # type: ignore[union-attr]
        raise IngestError(
            f"Could not detect the text encoding of {name} (it is not UTF-8, UTF-16 or "
            "Windows-1252); "
            "re-save it as UTF-8 and try again."
        )
    return text, codecs.lookup(best.encoding).name  # type: ignore[union-attr]


def _plausible_cp1252(data: bytes) -> str | None:
    """The cp1252 reading of `data` if it looks like Western text, else None.

    Detectors often mistake short Western text for cp1250/cp1257, so cp1252 is tried first, and
    accepted only when every non-ASCII character is a Latin letter or typographic sign and such
    letters are a minority of all letters (cp1251 Cyrillic read as cp1252 is nearly all accented).
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    extra = [c for c in text if ord(c) > 127]
    if any(c not in _WESTERN for c in extra):
        return None
    letters = sum(c.isalpha() for c in text)
    accented = sum(c.isalpha() for c in extra)
    return text if accented <= 0.3 * letters else None


def _non_blank(text: str, name: str) -> str:
    if not text.strip():
        raise IngestError(f"{name} is empty or holds only whitespace; there is no article to read.")
    return text


def read_text_file(path: str | os.PathLike, *, max_bytes: int | None = None) -> str:
    """Read a text file in any common encoding, keeping its newlines exactly.

    Args:
        path: The file.
        max_bytes: Size limit (default: `PROPLENS_MAX_BYTES` or 20 MB).
    Returns:
        The decoded text, without a byte-order mark.
    """
    path = Path(path)
    text, _ = decode_bytes(_read_bytes(path, max_bytes), str(path))
    return _non_blank(text, str(path))


# --- formats ------------------------------------------------------------------------------------


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
