"""Property tests (hypothesis) on hostile Unicode: Doc JSON, normalisation, sentences, decoding."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proplens.doc import Doc
from proplens.errors import ProplensError

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Emoji (astral, ZWJ sequences, flags, skin tones), combining marks, RTL text and bidi controls,
# every line break normalisation knows, zero-width and soft-hyphen characters.
HOSTILE = st.sampled_from(
    [
        "👍🏽",
        "👨‍👩‍👧",
        "🇩🇪",
        "e\u0301",
        "\u0915\u094d\u0937",
        "שלום",
        "مرحبا",
        "\u202e",
        "\u200f",
        "\u00ad",
        "\u200b",
        "\ufeff",
        "\r\n",
        "\r",
        "\n",
        "\f",
        "\v",
        "\u2028",
        "\u2029",
        "\t",
        "\u00a0",
        " ",
        "  ",
        "-\n",
        "word",
        "Mr.",
        "U.S.",
        "end.",
        "?",
        '"',
        "\x00",
        "𝕏",
    ]
)
HOSTILE_TEXT = st.one_of(
    st.lists(HOSTILE, max_size=40).map("".join),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
)


@st.composite
def docs(draw):
    text = draw(HOSTILE_TEXT.filter(bool))
    doc = Doc(text, id=draw(st.text(max_size=5)), title=draw(st.none() | st.text(max_size=10)))
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        doc.add_span(start, end, draw(st.none() | st.just("Doubt")), draw(st.floats(0, 1)))
    return doc


@FAST
@given(docs())
def test_doc_json_roundtrip_hostile_unicode(doc):
    for ensure_ascii in (True, False):
        back = Doc.from_json(json.loads(json.dumps(doc.to_json(), ensure_ascii=ensure_ascii)))
        assert back == doc
        assert all(s.text == back.text[s.start : s.end] for s in back.spans)
        assert back.content_hash == doc.content_hash


@FAST
@given(HOSTILE_TEXT)
def test_normalize_offset_map_points_at_source_characters(raw):
    from proplens.normalize import normalize

    clean, omap = normalize(raw)
    idx = list(omap.raw_index)
    assert len(idx) == len(clean)
    assert all(a < b for a, b in zip(idx, idx[1:], strict=False))
    assert all(0 <= i < len(raw) for i in idx)
    for c, i in zip(clean, idx, strict=True):
        # A clean character is its raw source, or a space/newline standing for whitespace.
        assert c == raw[i] or (c in " \n" and (raw[i].isspace() or raw[i] in "\u200b\ufeff"))
    assert normalize(clean)[0] == clean


@FAST
@given(HOSTILE_TEXT)
def test_normalize_never_moves_a_combining_mark_onto_another_base(raw):
    """A combining mark in the clean text follows the same base character as in the raw text
    (or follows whitespace / a removed invisible character, as it did in the raw text)."""
    from proplens.normalize import IGNORABLE, normalize

    clean, omap = normalize(raw)
    for k, ch in enumerate(clean):
        if k and unicodedata.combining(ch):
            r = omap.to_raw_offset(k)
            before = raw[r - 1]
            same_base = before == clean[k - 1] and omap.to_raw_offset(k - 1) == r - 1
            assert same_base or before in IGNORABLE or (before.isspace() and clean[k - 1] in " \n")


@FAST
@given(HOSTILE_TEXT)
def test_sentences_offsets_are_ordered_stripped_and_in_bounds(text):
    from proplens.normalize import normalize
    from proplens.sentences import split_sentences

    clean = normalize(text)[0]
    spans = split_sentences(clean)
    assert all(0 <= s < e <= len(clean) for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    for s, e in spans:
        assert clean[s:e] == clean[s:e].strip()
        assert not ("\ud800" <= clean[s] <= "\udfff")


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=300), st.sampled_from(["a.txt", "a.html", "a.jsonl", "a.json", "a", "a.pdf"])
)
def test_ingest_random_bytes_give_doc_or_proplens_error(data, name):
    from proplens.ingest import docs_from_bytes

    try:
        out = docs_from_bytes(data, name, errors=[])
    except ProplensError as exc:
        assert str(exc).strip() and "\n" not in str(exc).strip()
        return
    for doc in out:
        assert doc.text.strip()
        doc.text.encode("utf-8")  # no lone surrogates reach a Doc


@pytest.mark.parametrize(
    "data",
    [
        b'{"text": "bad \\ud83d half emoji"}\n',
        b'{"text": "lone \\udc00 low"}\n',
        b"\xed\xa0\x80 CESU-encoded surrogate in a text file",
    ],
)
def test_ingest_lone_surrogates_never_reach_a_doc(data):
    """JSON escapes and CESU bytes can smuggle lone surrogates; they cannot be printed or stored."""
    from proplens.ingest import docs_from_bytes

    try:
        out = docs_from_bytes(data, "x.jsonl" if data.startswith(b"{") else "x.txt", errors=[])
    except ProplensError:
        return
    for doc in out:
        doc.text.encode("utf-8")
