from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from proplens.cli import app
from proplens.doc import Doc
from proplens.storage import ModelId, Result, Store

MODEL = ModelId("fake", "1")


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    a = Doc("Café traitors!\r\nAgain.", id="111", source="Herald", url="http://x")
    a.add_span(5, 13, "Name_Calling,Labeling", 0.8, (("Doubt", 0.1),))
    a.add_span(0, 4, None, 0.4)
    b = Doc("Nothing to see.", id="222")
    with Store(url) as store:
        store.write_batch(
            store.start_run(MODEL),
            MODEL,
            [Result("a", a), Result("b", b), Result("c", error="unreadable")],
        )
    return url, [a, b]


def test_export_jsonl_round_trips_docs(db, tmp_path):
    url, docs = db
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["export", "--db", url, "--format", "jsonl", "-o", str(out)])
    assert result.exit_code == 0 and "Exported 2 articles as 2 jsonl rows." in result.output
    with open(out, encoding="utf-8", newline="") as f:
        got = [Doc.from_json(json.loads(line)) for line in f]
    assert [d.to_json() for d in got] == [d.to_json() for d in docs]


def test_export_semeval_flc_rows(db):
    url, _ = db
    result = CliRunner().invoke(app, ["export", "--db", url, "-f", "semeval"])
    assert result.exit_code == 0
    assert result.stdout == "111\tName_Calling,Labeling\t5\t13\n"
    assert "1 spans without a technique left out" in result.stderr


def test_export_needs_format(db):
    result = CliRunner().invoke(app, ["export", "--db", db[0]])
    assert result.exit_code == 2 and "--format" in result.output


def test_export_csv_one_row_per_article_with_metadata_and_counts(tmp_path):
    import csv
    import io

    url = f"sqlite:///{tmp_path / 'm.db'}"
    a = Doc("They are traitors, traitors!", id="a", source="=Herald", date="1/21",
            extra={"bias": "left", "topic": "x"})  # fmt: skip
    a.add_span(9, 17, "Name_Calling,Labeling")
    a.add_span(19, 27, "Name_Calling,Labeling")
    b = Doc("A calm report.", id="b", date="2016-03-05", extra={"bias": "right"})
    b.add_span(2, 6, "Loaded_Language")
    with Store(url) as store:
        store.write_batch(None, MODEL, [Result("a", a), Result("b", b)])
    result = CliRunner().invoke(app, ["export", "--db", url, "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["doc_id"], r["bias"], r["topic"]) for r in rows] == [
        ("a", "left", "x"),
        ("b", "right", ""),
    ]
    assert (rows[0]["date"], rows[0]["published"], rows[1]["published"]) == (
        "1/21",
        "",
        "2016-03-05",
    )
    assert (rows[0]["Name_Calling,Labeling"], rows[0]["Loaded_Language"]) == ("2", "0")
    assert rows[0]["source"] == "'=Herald"  # never a spreadsheet formula
    assert "traitors" not in result.stdout  # no article text
    assert "Exported 2 articles" in result.stderr
