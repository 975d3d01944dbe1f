from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from proplens.cli import app
from proplens.doc import Doc
from proplens.stats import corpus_stats
from proplens.storage import ModelId, Result, Store

MODEL = ModelId("fake", "1")
LL, NC = "Loaded_Language", "Name_Calling,Labeling"


@pytest.fixture
def db(tmp_path):
    """Herald: 2 articles, 20 words, 3 spans; Gazette: 1 article of 10 words, no span, no date."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    texts = ["one two three four five six seven eight nine ten"] * 3
    docs = [
        Doc(texts[0], id="h1", source="Herald", date="2024-01-03"),
        Doc(texts[1] + " ", id="h2", source="Herald", date="2024-02-10"),
        Doc(texts[2] + "  ", id="g1", source="Gazette"),
    ]
    docs[0].add_span(0, 7, LL, 0.5)
    docs[0].add_span(4, 13, NC, 0.7)  # overlaps: 13 characters covered
    docs[1].add_span(0, 3, LL, 0.9)
    with Store(url) as store:
        store.write_batch(None, ModelId("old", "0"), [Result("x", Doc("older model text"))])
        store.write_batch(store.start_run(MODEL), MODEL, [Result(d.id, d) for d in docs])
    return url


def stats(*args):
    return CliRunner().invoke(app, ["stats", *args])


def test_stats_by_source_rates(db):
    data = json.loads(stats("--db", db, "--format", "json").output)
    herald = next(r for r in data["rows"] if r["source"] == "Herald")
    assert data["model"] == "fake 1"
    assert (herald["articles"], herald["words"], herald["spans"]) == (2, 20, 3)
    assert herald["spans_per_1000_words"] == 150.0
    assert herald["density"] == round((13 + 3) / (48 + 49), 4)
    assert herald["top_techniques"] == f"{LL} (2), {NC} (1)"


def test_stats_by_month_leaves_out_undated(db):
    data = corpus_stats(Store(db), by="month")
    assert [(r["month"], r["source"], r["spans"]) for r in data["rows"]] == [
        ("2024-01", "Herald", 2),
        ("2024-02", "Herald", 1),
    ]


def test_stats_by_technique_csv(db):
    rows = list(
        csv.DictReader(
            io.StringIO(stats("--db", db, "--by", "technique", "--format", "csv").output)
        )
    )
    got = [(r["technique"], r["spans"], r["articles"], r["spans_per_1000_words"]) for r in rows]
    assert got == [(LL, "2", "2", "66.67"), (NC, "1", "1", "33.33")]
    assert rows[0]["mean_score"] == "0.7"


def test_stats_model_choice(db):
    data = json.loads(stats("--db", db, "--format", "json", "--model", "old").output)
    assert data["model"] == "old 0" and data["rows"][0]["source"] == "(unknown)"
    result = stats("--db", db, "--model", "nosuch")
    assert result.exit_code == 1 and "No analysed articles from model 'nosuch'" in result.output


@pytest.mark.parametrize("by", ["source", "month", "technique"])
@pytest.mark.parametrize("ext,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_stats_plot_files(db, tmp_path, by, ext, magic):
    out = tmp_path / f"plot{ext}"
    result = stats("--db", db, "--by", by, "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic) and f"Wrote {out}." in result.output


def test_stats_table_and_empty_store(db, tmp_path):
    assert "Herald" in stats("--db", db).output
    empty = stats("--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert empty.exit_code == 0 and "No analysed articles yet" in empty.output


def test_stats_plot_needs_png_or_svg(db, tmp_path):
    result = stats("--db", db, "--plot", str(tmp_path / "x.jpg"))
    assert result.exit_code == 1 and "Plots are written as .png or .svg" in result.output


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_stats_output_neutralises_hostile_source_names(tmp_path, fmt):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    with Store(url) as store:
        doc = Doc("Traitors everywhere.", source="=src\x1b[2J\x9b31m[bold]X")
        store.write_batch(store.start_run(MODEL), MODEL, [Result("a", doc)])
    result = stats("--db", url, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x9b" not in result.output
    assert "[bold]X" in result.output
