"""The bad-input catalogue through the library: ingestion, SemEval label files, model folders."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from proplens.errors import CorpusFormatError, IngestError, ModelError, ProplensError
from tests.hardening.catalogue import MIXED_EOL, cases, check_ok_text

pytestmark = pytest.mark.timeout(60)
CASES = cases()


@pytest.mark.parametrize("name,filename,data,expect", CASES, ids=[c[0] for c in CASES])
def test_ingest_bad_input_catalogue(tmp_path, name, filename, data, expect):
    from proplens.ingest import read_path

    path = tmp_path / filename
    path.write_bytes(data)
    kind, what = expect
    if kind == "error":
        with pytest.raises(ProplensError) as info:
            read_path(path, errors=[])
        message = str(info.value)
        assert re.search(what, message, re.I), message
        assert "\n" not in message.strip() and message.rstrip().endswith((".", ")"))
    else:
        docs = read_path(path, errors=[])
        assert len(docs) == 1
        check_ok_text(docs[0].text, what)


def test_ingest_mixed_line_endings_keep_offsets(tmp_path):
    from proplens.ingest import read_path
    from proplens.normalize import normalize

    path = tmp_path / "eol.txt"
    path.write_bytes(MIXED_EOL.encode())
    doc = read_path(path)[0]
    assert doc.text == MIXED_EOL  # every \r\n and lone \r kept
    clean, omap = normalize(doc.text)
    for word in re.finditer(r"\w+", clean):
        start, end = omap.to_raw(word.start(), word.end())
        assert doc.text[start:end] == word.group()
    span = doc.add_span(doc.text.index("traitors"), doc.text.index("traitors") + 8, "Doubt")
    assert span.text == "traitors"


def test_ingest_jsonl_bad_lines_reported_with_numbers_rest_loaded(tmp_path):
    from proplens.ingest import read_path

    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"text": "good one"}\nnot json\n\n{"text": ""}\n{"text": "good two", "id": "x"}\n[1]\n'
    )
    issues: list = []
    docs = read_path(path, errors=issues)
    assert [d.text for d in docs] == ["good one", "good two"]
    assert [i.line for i in issues] == [2, 4, 6]


def test_ingest_size_limit_names_limit_and_option(tmp_path, monkeypatch):
    from proplens.ingest import read_path

    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 2001)
    with pytest.raises(IngestError, match=r"10,000 bytes.*--max-bytes.*PROPLENS_MAX_BYTES"):
        read_path(path, max_bytes=10_000)
    monkeypatch.setenv("PROPLENS_MAX_BYTES", "20000")
    assert read_path(path)[0].text.startswith("word")


@pytest.mark.parametrize(
    "task,line,pattern",
    [
        ("si", "1\t5", r"line 2: expected 3 .*columns"),
        ("flc", "1\tDoubt\t5", r"line 2: expected 4"),
        ("flc", "1\tDoubt\tfive\t9", r"line 2: the start offset 'five' is not a whole number"),
        ("flc", "1\tDoubt\t9\t5", r"line 2: the start offset 9 must be smaller"),
        ("flc", "1\tDoubt\t-3\t5", r"line 2: the start offset -3 is negative"),
        ("flc", "1\tDoubt\t5\t5", r"line 2: .*smaller"),
        (
            "flc",
            "1\tLoaded_language\t1\t5",
            r"line 2: unknown technique 'Loaded_language'. Expected one of",
        ),
        ("flc", "1\tDoubt\t1\t99999999999999999999999", r"runs past the end"),
        ("flc", "\tDoubt\t1\t5", r"line 2: the article id column is empty"),
    ],
)
def test_semeval_bad_label_rows_name_file_and_line(tmp_path, task, line, pattern):
    from proplens.corpus.semeval import attach_labels, read_labels
    from proplens.doc import Doc

    good = "1\t0\t3" if task == "si" else "1\tDoubt\t0\t3"
    path = tmp_path / "x.labels"
    path.write_bytes(f"{good}\n{line}\n".encode())
    with pytest.raises(CorpusFormatError, match=pattern) as info:
        attach_labels([Doc("short article", id="1")], read_labels(path, task))
    assert str(path) in str(info.value)


def test_semeval_label_file_not_utf8(tmp_path):
    from proplens.corpus.semeval import read_labels

    path = tmp_path / "x.labels"
    path.write_bytes(b"1\tDoubt\t0\t3\n\xff\xfe\x00\n")
    with pytest.raises(CorpusFormatError, match="not valid UTF-8"):
        read_labels(path)


# --- model folders ----------------------------------------------------------------------------

REQUIRED = ("model.onnx", "tokenizer.json", "heads.safetensors", "config.json", "meta.json")


def fake_model(folder, meta=None, skip=()):
    folder.mkdir()
    for name in REQUIRED:
        if name not in skip:
            (folder / name).write_text("{}" if name.endswith(".json") else "x")
    if "meta.json" not in skip:
        (folder / "meta.json").write_text(json.dumps(meta or {"proplens_version": "0.0.1"}))
    return folder


@pytest.mark.parametrize(
    "setup,pattern",
    [
        (lambda p: p / "nowhere", r"No model folder at .*nowhere"),
        (lambda p: fake_model(p / "m", skip=("model.onnx",)), r"missing model\.onnx"),
        (
            lambda p: fake_model(p / "m", skip=("heads.safetensors", "tokenizer.json")),
            r"missing tokenizer\.json, heads\.safetensors",
        ),
        (
            lambda p: fake_model(p / "m", meta={"proplens_version": "99.0.0"}),
            r"written by proplens 99\.0\.0, newer.*upgrade",
        ),
    ],
    ids=["absent", "no-onnx", "no-heads-tokenizer", "newer-version"],
)
def test_model_folder_problems_give_clear_error(tmp_path, setup, pattern):
    import proplens

    with pytest.raises(ModelError, match=pattern):
        proplens.load(setup(tmp_path))


@pytest.mark.parametrize(
    "name,body,pattern",
    [
        ("config.json", "{not json", "broken JSON"),
        ("meta.json", "[1, 2]", "meta.json"),
        ("config.json", '"a string"', "config.json"),
        ("meta.json", "\xff\xfe", "meta.json"),
    ],
)
def test_model_folder_broken_json(tmp_path, name, body, pattern):
    import proplens

    folder = fake_model(tmp_path / "m")
    (folder / name).write_bytes(body.encode("latin-1"))
    with pytest.raises(ModelError, match=pattern):
        proplens.load(folder)


@pytest.mark.parametrize("broken", ["tokenizer.json", "model.onnx", "heads.safetensors"])
def test_model_folder_corrupt_files_give_model_error(tmp_path, broken):
    """Files present but not what they claim to be (an interrupted copy, a wrong file)."""
    import proplens
    from proplens.pipeline import DEFAULT_MODEL

    folder = tmp_path / "m"
    if DEFAULT_MODEL.is_dir():
        shutil.copytree(DEFAULT_MODEL, folder)
    else:
        fake_model(folder)
    (folder / broken).write_bytes(b"\x00garbage, not a model file" * 10)
    with pytest.raises(ModelError, match=str(folder)):
        proplens.load(folder)
