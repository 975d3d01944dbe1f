"""Tests for `proplens extract`."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from proplens.cli import app
from proplens.normalize import OffsetMap
from tests.test_ingest import make_pdf


def run(*args, input=None):
    return CliRunner().invoke(app, ["extract", *map(str, args)], input=input)


def test_extract_prints_clean_text(tmp_path):
    path = tmp_path / "article5.txt"
    path.write_bytes(b"A wrapped\r\nline  with an in-\r\ndepth look.\r\n\r\nNext para.")
    result = run(path)
    assert result.exit_code == 0, result.output
    assert "id: 5" in result.output
    assert "A wrapped line with an in-depth look.\n\nNext para." in result.output


def test_extract_json_lines_round_trip(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"One  line\r\nwraps here.")
    (tmp_path / "b.pdf").write_bytes(make_pdf(["PDF text", "on two lines."]))
    result = run("--json", tmp_path)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["clean"] == "One line wraps here."
    assert rows[0]["sentences"] == [[0, 20]]
    assert rows[0]["text"] == "One  line\r\nwraps here."
    for row in rows:
        omap = OffsetMap.from_json(row["offset_map"])
        assert omap.to_raw(0, len(row["clean"])) == (0, len(row["text"]))


def test_extract_stdin():
    result = run("-", input="caf\u00e9\r\nbar.".encode("cp1252"))
    assert result.exit_code == 0, result.output
    assert "caf\u00e9 bar." in result.output


@pytest.mark.parametrize(
    "name,data,args,message",
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\nxxxx", [], "looks like a PNG image"),
        ("big.txt", b"x" * 50, ["--max-bytes", "10"], "over the limit of 10 bytes"),
        ("missing.txt", None, [], "No such file or folder"),
        ("scan.pdf", make_pdf([]), [], "run OCR first"),
    ],
)
def test_extract_errors_exit_1_with_one_sentence(tmp_path, name, data, args, message):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    result = run(*args, path)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_extract_reports_bad_jsonl_lines(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text('{"text": "Good one."}\n{broken\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(path)])
    assert result.exit_code == 0
    assert "Good one." in result.output
    assert "line 2: not valid JSON" in result.output


def test_extract_sample_article_done_when(sample_pdf_text):
    result = run("--json", sample_pdf_text)
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)
    raw, clean = row["text"], row["clean"]
    paragraphs = clean.split("\n\n")
    assert all(p and "\n" not in p for p in paragraphs)
    assert "  " not in clean and "recapturing" in clean and "in-depth" in clean
    omap = OffsetMap.from_json(row["offset_map"])
    for word in re.finditer(r"\w+", clean):
        start, end = omap.to_raw(word.start(), word.end())
        assert re.sub(r"-\r?\n", "", raw[start:end]) == word.group()


def test_extract_reads_gzip_dumps_and_stdin_as_they_are(tmp_path):
    import gzip

    records = [{"id": "x1", "text": "First  line.", "bias": "left", "date": "1/21"}]
    records.append({"text": "Second article.", "topic": "economy"})
    blob = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode("utf-8"))
    (tmp_path / "dump.jsonl.gz").write_bytes(blob)
    result = run("--json", tmp_path / "dump.jsonl.gz")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["id"], r.get("bias"), r.get("topic"), r.get("date")) for r in rows] == [
        ("x1", "left", None, "1/21"),
        ("dump:2", None, "economy", None),
    ]
    piped = run("--json", "-", input=gzip.compress(b"Piped  text."))
    assert json.loads(piped.output)["clean"] == "Piped text."
