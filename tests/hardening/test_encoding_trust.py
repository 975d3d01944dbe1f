"""Encodings: mostly-UTF-8 stays UTF-8 (bad bytes replaced, counted), legacy guesses need
evidence, and the chosen encoding is always said."""

from __future__ import annotations

import pytest

from proplens.errors import IngestError
from proplens.ingest import IngestWarning, decode_bytes

PUNCTUATED = "He said \u201chello\u201d \u2014 then left, na\u00efvely. " * 4


@pytest.mark.parametrize(
    "tail,count",
    [
        (b" It\x92s over.", "1 byte not valid UTF-8"),  # a cp1252 apostrophe pasted in
        (b" \xff\xfe damaged.", "2 bytes not valid UTF-8"),
    ],
)
def test_decoding_mostly_utf8_stays_utf8_and_counts_replaced_bytes(tail, count):
    with pytest.warns(IngestWarning, match=f"x.txt: {count} .* replaced by U\\+FFFD"):
        text, encoding = decode_bytes(PUNCTUATED.encode() + tail, "x.txt")
    assert encoding == "utf-8" and text.startswith(PUNCTUATED) and "\ufffd" in text


@pytest.mark.parametrize(
    "text,codec,said",
    [
        ("Caf\u00e9 \u2014 na\u00efve \u201cquotes\u201d, d\u00e9j\u00e0 vu.", "cp1252", "cp1252"),
        ("Это пример текста на русском языке в старой кодировке Windows.", "cp1251", "cp1251"),
        (
            "これは日本語のテキストです。古いエンコーディングで保存されました。",
            "shift_jis",
            "cp932",
        ),
    ],
)
def test_decoding_legacy_encodings_are_read_and_named(text, codec, said):
    with pytest.warns(IngestWarning, match=f"is not UTF-8; read as .*{said}"):
        decoded, encoding = decode_bytes(text.encode(codec), "x.txt")
    assert decoded == text and encoding == said


def test_decoding_without_evidence_is_refused_with_advice():
    with pytest.raises(IngestError, match="Could not detect the text encoding of x.txt.*UTF-8"):
        decode_bytes(bytes(range(128, 256)) * 2, "x.txt")


def test_decoding_plain_utf8_is_silent(recwarn):
    assert decode_bytes(PUNCTUATED.encode(), "x.txt") == (PUNCTUATED, "utf-8")
    assert not [w for w in recwarn if issubclass(w.category, IngestWarning)]
