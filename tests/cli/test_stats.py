"""`proplens stats`: rates by any key with hand-computed intervals, filters, dates, outputs."""

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
TEN = "one two three four five six seven eight nine ten"  # 10 words


@pytest.fixture
def db(db_url):
    """Herald: 2 left articles, 20 words, 3 spans. Gazette: 2 right ones, 20 words, 1 span.

    Dates: one good per outlet, one malformed ("1/21") and one missing (""). SQLite, and
    PostgreSQL too when PROPLENS_TEST_POSTGRES_URL is set.
    """
    url = db_url
    docs = [
        Doc(TEN, id="h1", source="Herald", date="2024-01-03", extra={"bias": "left"}),
        Doc(TEN + " ", id="h2", source="Herald", date="1/21", extra={"bias": "left"}),
        Doc(TEN + "  ", id="g1", source="Gazette", date="", extra={"bias": "right"}),
        Doc(TEN + "   ", id="g2", source="Gazette", date="2024-02-10", extra={"bias": "right"}),
    ]
    docs[0].add_span(0, 7, LL, 0.5)
    docs[0].add_span(4, 13, NC, 0.7)  # overlaps: 13 characters covered
    docs[1].add_span(0, 3, LL, 0.9)
    docs[3].add_span(0, 3, LL, 0.9)
    with Store(url) as store:
        store.write_batch(None, ModelId("old", "0"), [Result("x", Doc("older model text"))])
        store.write_batch(store.start_run(MODEL), MODEL, [Result(d.id, d) for d in docs])
    return url


def stats(*args):
    return CliRunner().invoke(app, ["stats", *args])


def rows_of(db, *args):
    result = stats("--db", db, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {
        tuple(r[k] for k in json.loads(result.stdout)["keys"]): r
        for r in json.loads(result.stdout)["rows"]
    }


def test_stats_by_source_rates_with_hand_computed_intervals(db):
    rows = rows_of(db)
    herald, gazette = rows[("Herald",)], rows[("Gazette",)]
    assert (herald["articles"], herald["words"], herald["spans"]) == (2, 20, 3)
    # Herald: R = 3/20 words; residuals y - R x = 2 - 1.5, 1 - 1.5; var = 2/1 * 0.5 / 20^2,
    # se = 0.05 spans per word = 50 per 1,000; 150 +- 1.96 * 50.
    assert herald["spans_per_1000_words"] == 150.0
    assert herald["spans_per_1000_words_low"] == pytest.approx(52.002, abs=1e-3)
    assert herald["spans_per_1000_words_high"] == pytest.approx(247.998, abs=1e-3)
    # Gazette: 50 +- 98.0, clamped at 0; one of its two articles has a span: Wilson(1, 2).
    assert gazette["spans_per_1000_words"] == 50.0
    assert gazette["spans_per_1000_words_low"] == 0.0
    assert gazette["spans_per_1000_words_high"] == pytest.approx(147.998, abs=1e-3)
    assert (gazette["articles_with"], gazette["share_with"]) == (1, 0.5)
    assert (gazette["share_with_low"], gazette["share_with_high"]) == (0.0945, 0.9055)
    assert herald["spans_per_article"] == 1.5
    # per article: 2 and 1 marks, sd = sqrt(0.5), se = 0.5; 1.5 +- 1.96 * 0.5
    assert herald["spans_per_article_low"] == pytest.approx(0.52, abs=1e-4)
    assert herald["spans_per_article_high"] == pytest.approx(2.48, abs=1e-4)
    assert herald["top_techniques"] == f"{LL} (2), {NC} (1)"


def test_stats_by_a_metadata_key_and_where(db):
    by_bias = rows_of(db, "--by", "bias")
    assert set(by_bias) == {("left",), ("right",)}
    assert (by_bias[("left",)]["articles"], by_bias[("left",)]["spans"]) == (2, 3)
    assert by_bias[("right",)]["spans_per_1000_words"] == 50.0
    assert set(rows_of(db, "--where", "bias=left")) == {("Herald",)}
    assert set(rows_of(db, "--where", "bias=left", "--where", "bias=right")) == {
        ("Herald",),
        ("Gazette",),
    }
    result = stats("--db", db, "--by", "biass")
    assert result.exit_code == 1
    assert "No article has the key 'biass'" in result.output and "bias" in result.output


def test_stats_by_month_counts_missing_and_malformed_dates_apart(db):
    result = stats("--db", db, "--by", "month", "--format", "json")
    data = json.loads(result.stdout)
    assert [(r["month"], r["articles"], r["spans"]) for r in data["rows"]] == [
        ("2024-01", 1, 2),
        ("2024-02", 1, 1),
    ]
    assert data["excluded"] == {"no_date": 1, "unparsable_date": 1}
    assert "1 articles without one and 1 whose date could not be parsed" in result.stderr
    with Store(db) as store:  # the malformed date is kept as given
        assert {d.id: d.date for d in store.iter_articles()}["h2"] == "1/21"


def test_stats_since_until_use_the_parsed_date(db):
    assert set(rows_of(db, "--since", "2024-02")) == {("Gazette",)}
    assert set(rows_of(db, "--until", "2024-01")) == {("Herald",)}
    assert set(rows_of(db, "--since", "2024", "--until", "2024-12-31")) == {
        ("Herald",),
        ("Gazette",),
    }
    result = stats("--db", db, "--since", "last week")
    assert result.exit_code == 1 and "YYYY, YYYY-MM or YYYY-MM-DD" in result.output


def test_stats_technique_filter_and_cross_table(db):
    only = rows_of(db, "--technique", NC)
    assert only[("Herald",)]["spans"] == 1 and only[("Gazette",)]["spans"] == 0
    cross = rows_of(db, "--by", "bias,technique")
    assert cross[("left", LL)]["spans"] == 2 and cross[("left", LL)]["articles_with"] == 2
    assert cross[("right", NC)]["spans"] == 0 and cross[("right", NC)]["articles"] == 2
    assert cross[("left", LL)]["share_of_spans"] == round(2 / 3, 4)


def test_stats_min_articles_hides_and_says_so(db):
    result = stats("--db", db, "--by", "month", "--min-articles", "2", "--format", "json")
    assert json.loads(result.stdout)["rows"] == []
    assert "Hidden: 2 groups with fewer than 2 articles (2 articles in all)" in result.stderr


def test_stats_csv_for_notebooks(db):
    out = stats("--db", db, "--by", "technique", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    got = [
        (r["technique"], r["spans"], r["articles_with"], r["spans_per_1000_words"]) for r in rows
    ]
    assert got == [(LL, "3", "3", "75.0"), (NC, "1", "1", "25.0")]
    assert rows[0]["spans_per_1000_words_low"] and "techniques" not in rows[0]


def test_stats_model_choice(db):
    data = json.loads(stats("--db", db, "--format", "json", "--model", "old").output)
    assert data["model"] == "old 0" and data["rows"][0]["source"] == "(unknown)"
    result = stats("--db", db, "--model", "nosuch")
    assert result.exit_code == 1 and "No analysed articles from model 'nosuch'" in result.output


@pytest.mark.parametrize("by", ["source", "month", "technique", "bias,technique", "bias,month"])
@pytest.mark.parametrize("ext,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_stats_plot_files(db, tmp_path, by, ext, magic):
    out = tmp_path / f"plot{ext}"
    result = stats("--db", db, "--by", by, "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic) and f"Wrote {out}." in result.output


def test_stats_table_and_empty_store(db, tmp_path):
    out = stats("--db", db).output
    assert "Herald" in out and "150.0 [52.0–248.0]" in out
    empty = stats("--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert empty.exit_code == 0 and "No analysed articles match" in empty.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["--plot", "x.jpg"], "Plots are written as .png or .svg"),
        (["--where", "bias"], "`--where` takes KEY=VALUE"),
        (["--by", "a,b,c"], "`--by` takes one or two keys"),
        (["--by", "bias;drop"], "is not a key name"),
    ],
)
def test_stats_user_errors_are_sentences(db, args, message):
    result = stats("--db", db, *args)
    assert result.exit_code == 1 and message in result.output


def test_stats_library_matches_cli(db):
    with Store(db) as store:
        data = corpus_stats(store, by="bias", where=["bias=right"])
    assert [r["bias"] for r in data["rows"]] == ["right"]


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_stats_output_neutralises_hostile_source_names(tmp_path, fmt):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    with Store(url) as store:
        doc = Doc("Traitors everywhere.", source="=src\x1b[2J\x9b31m[bold]X")
        store.write_batch(store.start_run(MODEL), MODEL, [Result("a", doc)])
    result = stats("--db", url, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x9b" not in result.output
    assert "[bold" in result.output  # shown as text, not applied as markup
