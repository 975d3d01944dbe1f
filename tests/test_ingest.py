"""Tests for proplens.ingest: encodings, formats, folders, stdin, limits and bad inputs."""

from __future__ import annotations

import codecs
import io
import json

import pypdf
import pytest

from proplens.doc import Doc
from proplens.errors import IngestError
from proplens.ingest import (
    IngestIssue,
    IngestWarning,
    decode_bytes,
    doc_from_text,
    iter_docs,
    read_path,
    read_text_file,
)
from tests.hardening.catalogue import make_pdf

TEXT = (
    "Le \u201ccaf\u00e9\u201d est tr\u00e8s bon \u2014 n\u2019est-ce pas?\r\nD\u00e9j\u00e0 vu.\n"
)


def encrypted(pdf: bytes) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data,encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le-sig"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be-sig"),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32-le-sig"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_ingest_decodes_encodings_exactly(tmp_path, data, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    assert read_text_file(path) == TEXT
    assert decode_bytes(data)[1] == encoding


@pytest.mark.parametrize(
    "text",
    [
        "\u201cGo!\u201d he said. caf\u00e9",
        "Ca co\u00fbte 10 \u00e0 Z\u00fcrich, na\u00efve fa\u00e7ade.",
    ],
)
def test_ingest_short_western_text_is_cp1252(text):
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


def test_ingest_keeps_crlf_offsets(tmp_path):
    path = tmp_path / "article123.txt"
    path.write_bytes(b"Title\r\n\r\nThey are traitors.\r\nSecond line.\r\n")
    (doc,) = read_path(path)
    assert doc.id == "123"
    start = doc.text.index("traitors")
    assert doc.add_span(start, start + 8).text == "traitors"
    assert doc.text.count("\r\n") == 4


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b" \r\n\t\n", "is empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a PNG image"),
        ("archive.txt", b"PK\x03\x04\x14\x00", "looks like a ZIP archive"),
        ("nul.txt", b"abc\x00\x00\x00def\x00", "NUL bytes"),
        ("fake.pdf", b"just text", "not a PDF"),
        ("script.html", b"<html><body><script>go()</script></body></html>", "No main text found"),
        ("bad.json", b"{nope", "not valid JSON"),
        ("allbad.jsonl", b"{nope\n[1]\n", "No valid article"),
    ],
)
def test_ingest_bad_files_raise(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError, match=message) as info:
        read_path(path)
    assert name in str(info.value)


def test_ingest_missing_file_raises(tmp_path):
    with pytest.raises(IngestError, match="No such file or folder"):
        list(iter_docs([tmp_path / "nope.txt"]))


def test_ingest_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 100)
    with pytest.raises(
        IngestError, match="over the limit of 100 bytes.*--max-bytes.*PROPLENS_MAX_BYTES"
    ):
        read_path(path, max_bytes=100)
    monkeypatch.setenv("PROPLENS_MAX_BYTES", "10")
    with pytest.raises(IngestError, match="limit of 10 bytes"):
        read_path(path)
    assert read_path(path, max_bytes=1000)[0].text.startswith("word")


def test_ingest_html_main_text_and_metadata(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Tiny page</title><meta name='author' content='Jane Roe'>"
        "<meta property='article:published_time' content='2019-03-04'>"
        "<link rel='canonical' href='https://example.org/a'></head><body>"
        "<script>var secret = 'SCRIPT TEXT';</script><nav>Home | About</nav><article>"
        "<p>The government said the plan was a total disaster for everyone involved.</p>"
        "<p>Critics called it a betrayal of the voters.</p></article></body></html>",
        encoding="utf-8",
    )
    (doc,) = read_path(path)
    assert "SCRIPT TEXT" not in doc.text and "Home | About" not in doc.text
    assert "The government said the plan was a total disaster" in doc.text
    assert "\n\nCritics called it a betrayal" in doc.text
    assert (doc.title, doc.author, doc.date, doc.url) == (
        "Tiny page",
        "Jane Roe",
        "2019-03-04",
        "https://example.org/a",
    )


def test_ingest_html_sniffed_by_content(tmp_path):
    path = tmp_path / "saved.txt"
    path.write_bytes(
        b"<!DOCTYPE html><html><body><p>Plain words in a page saved with the wrong name.</p>"
        b"</body></html>"
    )
    (doc,) = read_path(path)
    assert doc.text == "Plain words in a page saved with the wrong name."
    assert doc.extra["format"] == "html"


def test_ingest_pdf_sniffed_by_content(tmp_path):
    path = tmp_path / "misnamed.txt"
    path.write_bytes(make_pdf(["Text inside a PDF."]))
    assert read_path(path)[0].text == "Text inside a PDF."


def test_ingest_pdf_text(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(["The army said on", "Monday that it had won."]))
    (doc,) = read_path(path)
    assert doc.text == "The army said on\nMonday that it had won."
    assert doc.id == "report"


@pytest.mark.parametrize(
    "data,message",
    [
        (encrypted(make_pdf(["Secret text here."])), "password-protected PDF"),
        (make_pdf(["Some text here."])[:150], "not a readable PDF"),
        (make_pdf([]), "No text found in .*scanned PDF without a text layer; run OCR first"),
    ],
)
def test_ingest_bad_pdfs_raise(tmp_path, data, message):
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=message):
        read_path(path)


def test_ingest_jsonl_skips_bad_lines(tmp_path):
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps(
            {"id": 7, "text": "First article.", "title": "T", "source": "Outlet", "lang": "en"}
        ),
        "{not json",
        '{"text": "half \\ud83d emoji"}',
        json.dumps({"title": "no text"}),
        "",
        json.dumps({"text": "Third article."}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    issues: list[IngestIssue] = []
    docs = read_path(path, errors=issues)
    assert [(d.id, d.text) for d in docs] == [
        ("7", "First article."),
        ("batch:6", "Third article."),
    ]
    assert (docs[0].title, docs[0].source, docs[0].extra["lang"]) == ("T", "Outlet", "en")
    assert [(i.line, i.source) for i in issues] == [(2, str(path)), (3, str(path)), (4, str(path))]
    assert "not valid JSON" in str(issues[0]) and "surrogate" in str(issues[1])
    assert "`text`" in str(issues[2])
    with pytest.warns(IngestWarning) as caught:
        read_path(path)
    assert ["line 2" in str(w.message) for w in caught] == [True, False, False]


def test_ingest_json_doc_with_spans(tmp_path):
    doc = Doc("They are traitors.", id="x")
    doc.add_span(9, 17, "Name_Calling,Labeling")
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc.to_json()), encoding="utf-8")
    assert read_path(path) == [doc]


def test_ingest_folder_sorted_recursive_glob(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("Bee.", encoding="utf-8")
    (tmp_path / "a.md").write_text("Ay.", encoding="utf-8")
    (tmp_path / "sub" / "article42.txt").write_text("Sub.", encoding="utf-8")
    (tmp_path / "notes.labels").write_text("42\t1\t2\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    assert [d.id for d in iter_docs(tmp_path)] == ["a", "b", "42"]
    assert [d.id for d in iter_docs(tmp_path, glob="*.txt", recursive=False)] == ["b"]
    with pytest.raises(IngestError, match="No article files matching"):
        list(iter_docs(tmp_path, glob="*.pdf"))


def test_ingest_folder_skips_unreadable_files(tmp_path):
    (tmp_path / "good.txt").write_text("Fine.", encoding="utf-8")
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\nxxxx")
    issues: list[IngestIssue] = []
    assert [d.id for d in iter_docs([tmp_path], errors=issues)] == ["good"]
    assert "PNG" in str(issues[0])


def test_ingest_stdin_bytes_and_docs(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO("caf\u00e9\r\nbar".encode("cp1252")))
    monkeypatch.setattr("sys.stdin", stdin)
    ready = doc_from_text("Ready made.", id="r", lang="en")
    docs = list(iter_docs(["-", ready]))
    assert [d.text for d in docs] == ["caf\u00e9\r\nbar", "Ready made."]
    assert ready.extra == {"lang": "en"}


def test_ingest_doc_from_text_rejects_blank():
    with pytest.raises(IngestError, match="empty"):
        doc_from_text("   ")
