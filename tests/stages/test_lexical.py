"""The lexical technique model: numpy inference matches scikit-learn, learns, saves, loads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from proplens.corpus.semeval import read_corpus
from proplens.doc import Doc
from proplens.errors import ModelError
from proplens.stages.features import N_FEATURES
from proplens.stages.lexical import BLOCKS, LexicalModel, char_terms, word_terms
from proplens.techniques import LABELS

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"
SPAN_TEXTS = ["the crooks", "our great nation", "so-called experts", "crooks and liars", "nation"]


@pytest.mark.parametrize(
    "fn, text, expected",
    [
        (word_terms, "Our GREAT nation", ["our", "great", "nation", "our great", "great nation"]),
        (char_terms, "Go", [" g", "go", "o ", " go", "go ", " go "]),
    ],
)
def test_lexical_terms(fn, text, expected):
    assert fn(text) == expected


@pytest.mark.parametrize("block", ["words", "chars"])
def test_lexical_block_vector_equals_sklearn_tfidf(block):
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    analyzer = word_terms if block == "words" else char_terms
    vec = sklearn_text.TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
    expected = vec.fit_transform(SPAN_TEXTS).toarray()
    vocab = {b: [] for b in BLOCKS}
    idf = {b: np.zeros(0, np.float32) for b in BLOCKS}
    vocab[block] = vec.get_feature_names_out().tolist()
    idf[block] = vec.idf_
    n = len(vocab[block])
    model = LexicalModel(
        vocab, idf, dict.fromkeys(BLOCKS, 1.0), np.zeros((n + N_FEATURES, 14)), np.zeros(14)
    )
    for text, row in zip(SPAN_TEXTS, expected, strict=True):
        cols, vals = model.block_vector(block, text)
        got = np.zeros(n)
        got[cols] = vals
        np.testing.assert_allclose(got, row, atol=1e-6)


@pytest.fixture(scope="module")
def fitted():
    pytest.importorskip("sklearn")
    from proplens.training.lexical import fit_lexical

    docs = read_corpus(FIXTURE)
    return docs, fit_lexical(docs, LABELS)


def _predicted(model, docs):
    spans = [[(s.start, s.end) for s in d.spans] for d in docs]
    logits = model.logits([d.text for d in docs], spans)
    return [LABELS[int(k)] for z in logits for k in z.argmax(-1)]


def test_lexical_model_learns_its_training_spans(fitted):
    docs, model = fitted
    gold = [s.technique for d in docs for s in d.spans]
    hits = sum(p == g for p, g in zip(_predicted(model, docs), gold, strict=True))
    assert hits / len(gold) > 0.8


def test_lexical_model_round_trips_through_its_folder(fitted, tmp_path):
    docs, model = fitted
    model.to_disk(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"lexical.json", "lexical.safetensors"}
    assert all(p.stat().st_mode & 0o044 == 0o044 for p in tmp_path.iterdir())  # world-readable
    again = LexicalModel.from_disk(tmp_path)
    texts = [d.text for d in docs]
    spans = [[(s.start, s.end) for s in d.spans] for d in docs]
    for a, b in zip(model.logits(texts, spans), again.logits(texts, spans), strict=True):
        np.testing.assert_allclose(a, b, atol=0.05)  # weights are stored as float16


def test_lexical_model_saved_before_the_16_features_still_loads(fitted, tmp_path):
    import json

    docs, model = fitted
    old = LexicalModel(
        model.vocab, model.idf, model.block_weights, model.coef[:-2], model.intercept, 14
    )
    old.to_disk(tmp_path)
    meta = json.loads((tmp_path / "lexical.json").read_text())
    del meta["n_features"]  # files written by proplens before it had 16 features
    (tmp_path / "lexical.json").write_text(json.dumps(meta))
    again = LexicalModel.from_disk(tmp_path)
    assert again.n_features == 14
    assert _predicted(again, docs) == _predicted(old, docs)


def test_lexical_model_needs_two_techniques():
    pytest.importorskip("sklearn")
    from proplens.training.lexical import fit_lexical

    docs = read_corpus(FIXTURE)
    for d in docs:
        d.spans = [s for s in d.spans if s.technique == "Loaded_Language"]
    with pytest.raises(ValueError, match="at least two techniques"):
        fit_lexical(docs, LABELS)


def test_model_folder_missing_its_lexical_files_is_a_clear_error(tmp_path):
    import shutil

    from proplens.pipeline import DEFAULT_MODEL, load

    folder = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL, folder)
    for name in ("lexical.json", "lexical.safetensors"):
        (folder / name).unlink(missing_ok=True)
    cfg = json.loads((folder / "config.json").read_text())
    cfg["technique_classifier"]["lexical_weight"] = 0.4
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="lexical"):
        load(folder)


@pytest.mark.parametrize("better,expected", [("lexical", 0.8), ("head", 0.0)])
def test_lexical_weight_goes_to_the_model_that_predicts_the_hold_out(better, expected):
    from proplens.techniques import LABELS
    from proplens.training.lexical import choose_weight

    rng = np.random.default_rng(0)
    gold, good, noise = [], [], []
    for i in range(8):
        doc = Doc("word " * 40, id=str(i))
        truth = rng.integers(0, 3, size=10)
        for j, k in enumerate(truth):
            doc.add_span(4 * j, 4 * j + 4, LABELS[k])
        gold.append(doc)
        good.append(np.eye(len(LABELS))[truth] * 4.0)
        noise.append(rng.normal(size=(10, len(LABELS))))
    head, lexical = (noise, good) if better == "lexical" else (good, noise)
    assert choose_weight(head, lexical, gold, LABELS) == expected
