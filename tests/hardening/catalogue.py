"""The bad-input catalogue: hostile and broken inputs, built in memory (nothing binary committed).

Each case is `(name, filename, data, expect)`. `expect` is either `("error", pattern)`: reading must
fail with a `ProplensError` whose one-sentence message matches `pattern` (a case-insensitive regex),
or `("ok", needle)`: reading must give a Doc whose text contains `needle` (and never markup, NULs
or lone surrogates).
"""

from __future__ import annotations

import io
import random
import re

TEXT = "The reckless mayor called them traitors. Everyone knows the plan failed."
MIXED_EOL = (
    "First line wraps\r\nhere. Second\rline.\nThird line\r\n\r\nNew paragraph with traitors."
)
UNICODE = "שלום עולם. e\u0301te\u0301 👨‍👩‍👧 🇩🇪 क्षत्रिय. مرحبا traitors \u202eevil\u202c."
SCRIPT_HTML = (
    "<html><head><title>Hostile page</title><script>var SECRET='tokens';alert(1)</script>"
    "<style>body{color:red}</style></head><body>"
    '<iframe src="https://evil.example/"></iframe>'
    f'<article><h1>Hostile page</h1><p data-x="{"A" * 2_000_000}">{TEXT}</p>'
    '<p><img src=x onerror="alert(2)">Second paragraph of the story, long enough to be kept.</p>'
    "<script>document.write('INJECTED')</script></article></body></html>"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    + bytes(64)
)
PDF_LINE = "The reckless mayor called them traitors."


def make_pdf(lines: list[str] | None, content: str | None = None) -> bytes:
    """A minimal one-page PDF showing `lines` in Helvetica; `None` gives a page without text.
    `content` replaces the page's content stream."""
    if content is None:
        shown = " ".join(f"({ln}) '" for ln in lines or [])
        content = f"BT /F1 12 Tf 72 720 Td 14 TL {shown} ET" if lines is not None else ""
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{obj}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def encrypted_pdf() -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf([PDF_LINE]))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def cases() -> list[tuple[str, str, bytes, tuple[str, str]]]:
    pdf = make_pdf([PDF_LINE])
    return [
        ("empty", "empty.txt", b"", ("error", r"empty")),
        (
            "whitespace",
            "blank.txt",
            b" \n\t\r\n  " + "\u3000\u00a0".encode(),
            ("error", r"empty|whitespace"),
        ),
        (
            "garbage",
            "garbage.txt",
            random.Random(6).randbytes(4096),
            ("error", r"binary|encoding|not text"),
        ),
        ("png-as-txt", "photo.txt", PNG, ("error", r"PNG")),
        (
            "invalid-utf8",
            "broken.txt",
            b"caf\xc3 \xff\xfe\x00\x81 mixed \xc0\xaf",
            ("error", r"NUL|binary|encoding"),
        ),
        (
            "latin1",
            "latin1.txt",
            "Café naïve traitors, señor.".encode("cp1252"),
            ("ok", "Café naïve traitors, señor."),
        ),
        ("utf16le-no-bom", "u16le.txt", TEXT.encode("utf-16-le"), ("ok", TEXT)),
        ("utf16be-no-bom", "u16be.txt", TEXT.encode("utf-16-be"), ("ok", TEXT)),
        ("mixed-eol", "eol.txt", MIXED_EOL.encode(), ("ok", MIXED_EOL)),
        ("nul-bytes", "nul.txt", b"They are\x00 traitors\x00.", ("error", r"NUL")),
        ("unicode", "unicode.txt", UNICODE.encode(), ("ok", UNICODE)),
        ("html-script", "page.html", SCRIPT_HTML.encode(), ("ok", "reckless mayor")),
        ("html-as-txt", "page.txt", SCRIPT_HTML.encode(), ("ok", "reckless mayor")),
        ("pdf", "doc.pdf", pdf, ("ok", "reckless mayor")),
        ("pdf-no-extension", "doc", pdf, ("ok", "reckless mayor")),
        ("pdf-truncated", "cut.pdf", pdf[: len(pdf) // 3], ("error", r"PDF|No text")),
        ("pdf-encrypted", "locked.pdf", encrypted_pdf(), ("error", r"password")),
        ("pdf-no-text", "scan.pdf", make_pdf(None), ("error", r"No text found")),
        # Found by fuzzing: pypdf fails an `assert` on operands before an inline image (`BI`).
        (
            "pdf-inline-image-assert",
            "bi.pdf",
            make_pdf(None, "BT /F1 12 Tf 72 720 BI 14 TL (The reckless mayor.) ' ET"),
            ("error", r"PDF"),
        ),
        ("txt-named-pdf", "fake.pdf", b"plain text, not a PDF", ("error", r"not a PDF")),
        (
            "jsonl-all-bad",
            "bad.jsonl",
            b'{"text": 1}\nnot json\n[1, 2]\n{"title": "no text"}\n',
            ("error", r"line 1"),
        ),
        (
            "jsonl-lone-surrogate",
            "sur.jsonl",
            b'{"text": "half \\ud83d emoji"}\n',
            ("error", r"surrogate|invalid|Unicode"),
        ),
    ]


def check_ok_text(text: str, needle: str) -> None:
    """What every successfully read Doc text must satisfy."""
    assert needle in text, f"{needle!r} not in {text[:200]!r}"
    assert "\x00" not in text
    text.encode("utf-8")  # no lone surrogates
    assert not re.search(r"<script|<iframe|onerror=|alert\(|INJECTED|SECRET", text, re.I)
