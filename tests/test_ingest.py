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


# --- gzip, the reader registry, streaming, the article-id rule ----------------------------------


def write_gz(path, lines: list[str]) -> None:
    import gzip

    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))


RECORDS = [
    {"id": "a1", "text": "They are traitors.", "source": "Outlet A", "date": "2016-03-05",
     "topic": "elections", "bias": "left"},
    {"text": "Fear for the nation!", "source": "Outlet B", "date": "1/21", "bias": "right"},
    {"text": "A calm report.", "source": "Outlet B", "date": "", "topic": "economy"},
]  # fmt: skip


def test_ingest_gzip_jsonl_keeps_every_field(tmp_path):
    path = tmp_path / "dump-00.jsonl.gz"
    write_gz(path, [json.dumps(r) for r in RECORDS])
    docs = read_path(path)
    assert [d.id for d in docs] == ["a1", "dump-00:2", "dump-00:3"]
    assert [d.date for d in docs] == ["2016-03-05", "1/21", ""]
    assert docs[0].extra == {"topic": "elections", "bias": "left"}
    assert docs[1].extra == {"bias": "right"} and docs[2].extra == {"topic": "economy"}
    assert [d.text for d in iter_docs([tmp_path])] == [r["text"] for r in RECORDS]


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("note.txt.gz", "caf\u00e9\r\nThey lie.", "text"),
        ("article42.txt.gz", "They lie.", "text"),
        ("page.html.gz", "<html><body><article><p>" + "They lie. " * 30 + "</p></article>", "html"),
        ("no-extension.gz", json.dumps({"text": "They lie."}), "jsonl"),
    ],
)
def test_ingest_gzip_any_kind_read_as_it_is(tmp_path, name, data, kind):
    import gzip

    from proplens.ingest import Source, sniff_kind

    path = tmp_path / name
    path.write_bytes(gzip.compress(data.encode("utf-8")))
    source = Source(name, path=path)
    assert source.gzip and sniff_kind(source.head(), source.inner) == kind
    (doc,) = read_path(path)
    assert "They lie." in doc.text
    assert doc.id == {"article42.txt.gz": "42", "no-extension.gz": "no-extension:1"}.get(
        name, name.split(".")[0]
    )


def test_ingest_damaged_gzip_keeps_the_lines_before_and_names_the_file(tmp_path):
    import gzip

    blob = gzip.compress(
        "".join(
            json.dumps({"text": f"Article {i} " + "x" * 3000}) + "\n" for i in range(200)
        ).encode("utf-8")
    )
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(blob[: len(blob) // 2])
    issues: list[IngestIssue] = []
    docs = read_path(path, errors=issues)
    assert 0 < len(docs) < 200
    assert len(issues) == 1 and issues[0].line == len(docs) + 1
    assert "cut.jsonl.gz is a damaged or truncated gzip file" in str(issues[0])
    assert f"lines 1-{len(docs)} were read" in str(issues[0])


def test_ingest_gzip_bomb_is_refused_by_the_size_limit(tmp_path):
    import gzip

    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 5_000_000))
    with pytest.raises(IngestError, match="more than 1,000 bytes once uncompressed.*--max-bytes"):
        read_path(path, max_bytes=1000)


def test_ingest_jsonl_limit_applies_per_record_not_per_file(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [json.dumps({"text": f"Article {i}."}) for i in range(50)]
    lines[3] = json.dumps({"text": "y" * 500})
    path.write_text("\n".join(lines), encoding="utf-8")
    issues: list[IngestIssue] = []
    docs = read_path(path, max_bytes=200, errors=issues)  # the file is ~1.4 kB
    assert len(docs) == 49
    assert [i.line for i in issues] == [4] and "over the limit of 200 bytes" in str(issues[0])


def test_ingest_jsonl_streams_in_bounded_memory(tmp_path):
    import tracemalloc

    from proplens.ingest import iter_records

    path = tmp_path / "big.jsonl.gz"
    body = "They are traitors. " * 100  # ~1.9 kB per record, ~40 MB in all
    write_gz(path, [json.dumps({"text": f"{i} {body}", "bias": "left"}) for i in range(20_000)])
    tracemalloc.start()
    count = sum(1 for r in iter_records([path]) if r.doc is not None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 20_000
    assert peak < 5_000_000, f"peak {peak:,} bytes while reading a 40 MB dump"


@pytest.mark.parametrize(
    "name,part,expected",
    [
        ("article111.txt", None, "111"),
        ("dir/article111.txt.gz", None, "111"),
        ("feed.jsonl.gz", 7, "feed:7"),
        ("feed.jsonl", 7, "feed:7"),
        ("<stdin>", None, "stdin"),
        ("<stdin>", 2, "stdin:2"),
        ("notes.md", None, "notes"),
    ],
)
def test_ingest_article_id_rule(name, part, expected):
    from proplens.ingest import article_id

    assert article_id(name, part) == expected


def test_ingest_reader_registry_takes_a_new_kind(tmp_path):
    from proplens.ingest import READERS, Reader, register_reader
    from proplens.ingest.formats import article_id as aid

    def read_tsv(source, max_bytes):
        rows = source.read_all(max_bytes).decode("utf-8").splitlines()
        for n, row in enumerate(rows, start=1):
            outlet, text = row.split("\t")
            yield n, doc_from_text(text, id=aid(source.name, n), source=outlet)

    register_reader(Reader("tsv", read_tsv, frozenset({".tsv"}), many=True))
    try:
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "feed.tsv").write_text("A\tThey lie.\nB\tFear!\n", encoding="utf-8")
        docs = list(iter_docs(tmp_path))
        assert [(d.id, d.source, d.text) for d in docs] == [
            ("feed:1", "A", "They lie."),
            ("feed:2", "B", "Fear!"),
        ]
    finally:
        READERS.pop("tsv")


def test_ingest_estimate_total_reads_only_a_head(tmp_path):
    from proplens.ingest import estimate_total

    path = tmp_path / "big.jsonl.gz"
    write_gz(path, [json.dumps({"text": f"Article number {i}. " * 20}) for i in range(5000)])
    (tmp_path / "one.txt").write_text("x", encoding="utf-8")
    estimate = estimate_total([path, tmp_path / "one.txt"], head_bytes=50_000)
    assert 4000 < estimate < 6000  # an estimate from the first 50 kB of 2 MB
    assert estimate_total([path], head_bytes=10_000_000) == 5000
    assert estimate_total(["-"]) is None


def test_ingest_gzip_upload_bytes_read_like_a_file():
    import gzip

    from proplens.ingest import docs_from_bytes

    blob = gzip.compress(json.dumps({"text": "They lie.", "bias": "right"}).encode() + b"\n")
    (doc,) = docs_from_bytes(blob, "upload.jsonl.gz")  # what `POST /api/analyze` does
    assert (doc.id, doc.text, doc.extra) == ("upload:1", "They lie.", {"bias": "right"})
