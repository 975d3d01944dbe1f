"""The public pipeline contract, checked on the shipped default model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import proplens
from proplens.doc import Doc
from proplens.errors import ModelError
from proplens.pipeline import DEFAULT_MODEL

OBVIOUS = (
    "The senator is a corrupt, lying coward and a traitor. His disgusting, shameful plan "
    "is a catastrophic betrayal that will destroy our great nation!"
)


@pytest.fixture(scope="module")
def nlp():
    return proplens.load()


def test_pipeline_keeps_text_and_metadata(nlp):
    doc = Doc("They are   cowardly\ntraitors who hate freedom.", id="7", source="blog", title="T")
    out = nlp(doc)
    assert out is not doc and out.text == doc.text
    assert (out.id, out.source, out.title) == ("7", "blog", "T")
    for span in out.spans:
        assert span.text == out.text[span.start : span.end]
        assert 0.0 <= span.score <= 1.0
        assert all(alt != span.technique for alt, _ in span.alternatives)


def test_pipeline_and_views_share_one_normalisation(nlp, monkeypatch):
    import proplens.normalize
    from proplens.views import analysis

    calls, real = [], proplens.normalize.normalize
    monkeypatch.setattr(proplens.normalize, "normalize", lambda raw: calls.append(1) or real(raw))
    out = nlp(Doc("They are   cowardly\ntraitors who hate freedom."))
    analysis(out)
    assert len(calls) == 1 and out.clean == "They are cowardly traitors who hate freedom."


def test_pipeline_spans_are_raw_offsets_in_messy_text(nlp):
    raw = "  The   corrupt,\nlying   coward  and\ntraitor   must go!\r\n\r\nLies, lies, lies."
    out = nlp(raw)
    assert out.text == raw
    for span in out.spans:
        assert span.text.strip() == span.text
        assert raw[span.start : span.end] == span.text


def test_pipeline_threshold_filters_spans(nlp):
    all_spans = proplens.load(threshold=0.0)(OBVIOUS).spans
    assert all_spans
    nlp.threshold = 1.01
    try:
        assert nlp(OBVIOUS).spans == []
    finally:
        nlp.threshold = float(nlp.config.get("threshold", 0.0))


def test_pipeline_pipe_keeps_order(nlp):
    texts = [OBVIOUS, "The meeting is on Tuesday.", "", OBVIOUS]
    docs = list(nlp.pipe(texts, batch_size=3))
    assert [d.text for d in docs] == texts
    assert [s.to_json() for s in docs[0].spans] == [s.to_json() for s in docs[3].spans]
    assert docs[2].spans == []


def marks(doc):
    return [(s.start, s.end, s.technique) for s in doc.spans], [s.score for s in doc.spans]


@pytest.mark.parametrize("batch_size", [2, 8])
def test_an_article_gets_the_same_marks_whatever_else_is_in_its_batch(nlp, batch_size):
    """The int8 encoder scales activations over its whole input, so windows must not share it
    (scores may differ in the last float bits, from the heads' batched arithmetic)."""
    root = Path(__file__).resolve().parent
    texts = [OBVIOUS, (root.parent / "examples/op-ed.txt").read_text(encoding="utf-8")]
    texts += [f.read_text(encoding="utf-8") for f in sorted(root.glob("data/*/*-articles/*.txt"))]
    alone = [marks(nlp(t)) for t in texts]
    together = [marks(d) for d in nlp.pipe(texts, batch_size=batch_size)]
    assert [spans for spans, _ in together] == [spans for spans, _ in alone]
    for (_, got), (_, want) in zip(together, alone, strict=True):
        assert got == pytest.approx(want, abs=1e-5)


def test_pipeline_meta_describes_model(nlp):
    assert nlp.meta["labels"] == list(nlp.labels)
    assert len(nlp.labels) == 14
    assert nlp.name and nlp.version
    assert "proplens_version" in nlp.meta


@pytest.mark.parametrize("missing", ["model.onnx", "meta.json", "heads.safetensors"])
def test_pipeline_missing_file_is_a_clear_error(tmp_path, missing):
    folder = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL, folder)
    (folder / missing).unlink()
    with pytest.raises(ModelError, match=f"missing {missing}"):
        proplens.load(folder)


def test_pipeline_newer_model_is_a_clear_error(tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL, folder)
    meta = json.loads((folder / "meta.json").read_text())
    meta["proplens_version"] = "99.0.0"
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="newer than this proplens"):
        proplens.load(folder)


def test_pipeline_no_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="No model folder"):
        proplens.load(tmp_path / "nope")


def test_pipeline_malformed_crf_setting_is_a_clear_error(tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL, folder)
    config = json.loads((folder / "config.json").read_text())
    config["span_detector"]["crf"] = {"transitions": [[0.0]], "start": [0.0], "end": [0.0]}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="could not be loaded.*`crf` setting must hold"):
        proplens.load(folder)
