"""Bytes to text: size limits, binary sniffing, encodings (BOMs, UTF-16, UTF-8, cp1252)."""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path

from proplens.errors import IngestError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_CHARS = 200_000  # longest article analysed by the API, `analyze` and `batch`
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
    from proplens.iohelpers import display_path

    limit, name = resolve_max_bytes(max_bytes), display_path(path)
    if path.is_symlink() and not path.exists():
        raise IngestError(
            f"{name} is a symbolic link to a missing file or a link loop; fix or remove the link."
        )
    if not path.exists():
        raise IngestError(f"No such file or folder: {name}.")
    if path.is_dir():
        raise IngestError(f"{name} is a folder; pass a file, or use `iter_docs` to read a folder.")
    size = path.stat().st_size
    if size > limit:
        raise _too_big(name, size, limit)
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


def decode_bytes(data: bytes, name: str = "<input>", allow_nul: bool = False) -> tuple[str, str]:
    """Decode article bytes, detecting the encoding; newlines are kept exactly.

    Args:
        data: The raw bytes.
        name: The file name used in error messages.
        allow_nul: Decode text holding NUL bytes (JSON Lines, where only the lines holding one
            are skipped) instead of refusing it as binary.
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
    if b"\x00" in data and not allow_nul:
        raise IngestError(
            f"{name} contains NUL bytes, so it is a binary file, not text; "
            "pass a text, HTML or PDF article."
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    valid, invalid = _utf8_evidence(data)
    if valid and valid * UTF8_MAJORITY >= invalid:  # UTF-8 with a few stray bytes
        _note(
            f"{name}: {invalid:,} byte{'s' if invalid > 1 else ''} not valid UTF-8 "
            f"({_positions(data)}) replaced by U+FFFD; the rest is UTF-8."
        )
        return data.decode("utf-8", "replace"), "utf-8"
    western = _plausible_cp1252(data)
    if western is not None:
        _note(f"{name} is not UTF-8; read as Windows-1252 (cp1252).")
        return western, "cp1252"
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    text = data.decode(best.encoding) if best is not None and best.encoding else None
    if text is None or not _convincing(best, text):
        guess = f" (the best guess, {best.encoding}, is not convincing)" if best else ""
        raise IngestError(
            f"Could not detect the text encoding of {name}: it is not UTF-8, UTF-16 or "
            f"Windows-1252{guess}. Re-save it as UTF-8 and try again."
        )
    encoding = codecs.lookup(best.encoding).name  # type: ignore[union-attr]
    _note(f"{name} is not UTF-8; read as {encoding} (detected {best.language}).")  # type: ignore[union-attr]
    return text, encoding


UTF8_MAJORITY = 4  # a stray byte per 4 valid UTF-8 characters or fewer: still UTF-8
_STRAY = re.compile("[\udc80-\udcff]")
_MULTIBYTE = frozenset(  # encodings whose multi-byte sequences are themselves evidence
    {"cp932", "shift_jis", "euc_jp", "gb2312", "gbk", "gb18030", "big5", "cp949", "euc_kr"}
)


def _utf8_evidence(data: bytes) -> tuple[int, int]:
    """(valid multi-byte UTF-8 characters, bytes that are not UTF-8) in `data`.

    A legacy single-byte text almost never forms a valid multi-byte UTF-8 sequence, so valid
    ones that outnumber the bad bytes say "UTF-8 with a few damaged or pasted-in bytes".
    """
    text = data.decode("utf-8", "surrogateescape")
    invalid = len(_STRAY.findall(text))
    valid = sum(1 for c in text if ord(c) > 127) - invalid
    return valid, invalid


def _positions(data: bytes, most: int = 3) -> str:
    found: list[int] = []
    start = 0
    while len(found) < most:
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            found.append(start + exc.start)
            start += exc.end
    where = ", ".join(f"{p:,}" for p in found) + (", ..." if len(found) == most else "")
    return f"at byte{'s' if len(found) > 1 else ''} {where}"


def _convincing(best: object, text: str) -> bool:
    """Whether charset_normalizer's guess has evidence: little noise, and either recognised
    language (coherence) or a multi-byte encoding that decoded cleanly."""
    chaos, coherence = getattr(best, "chaos", 1.0), getattr(best, "coherence", 0.0)
    encoding = codecs.lookup(getattr(best, "encoding", "ascii")).name.replace("-", "_")
    return (
        chaos <= 0.1
        and not _CONTROL.search(text)
        and (coherence >= 0.2 or encoding in _MULTIBYTE)
        and not encoding.startswith("mac_")  # Mac legacy encodings: only ever a wrong guess here
    )


def _note(message: str) -> None:
    """Tell the user how a text was decoded (shown on stderr by the CLI, logged by the server)."""
    import warnings

    warnings.warn(message, IngestWarning, stacklevel=3)


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
