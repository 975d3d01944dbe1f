"""Domain-adaptive pre-training (`proplens adapt`): keep training an encoder's masked language
model on unlabelled news before fine-tuning it ("don't stop pre-training"; the SemEval-2020
systems of UPB and ApplicaAI adapted their encoders to news this way).

The sentence-transformers encoders we start from were tuned for whole-sentence embeddings; a
few thousand masked-LM steps on news give their word pieces back token-level training. The
output is a Hugging Face folder that `proplens train --encoder FOLDER` starts from, with
`proplens-encoder.json` describing where it came from and how to fine-tune it.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from proplens.encoders import DESCRIPTION, EncoderChoice, resolve_encoder
from proplens.errors import ProplensError
from proplens.log import log as _log
from proplens.training.model import attention_kwargs, tiny_bert_config

TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)


@dataclass
class AdaptConfig:
    """Settings of one adaptation run (recorded in the output's proplens-encoder.json).

    Args:
        encoder: `minilm`, `mpnet` or a Hugging Face folder (as `proplens train --encoder`).
        steps: Optimiser steps in all.
        head_steps: First steps that train only the new masked-LM head (the pretrained body is
            left alone until the head stops producing noise).
        batch_size: Blocks per step.
        block: Word pieces per block, special tokens included.
        lr: Peak learning rate (None = the encoder's fine-tuning rate).
        mask_prob: Share of word pieces to predict (80% masked, 10% random, 10% kept).
        warmup: Share of the body's steps spent warming its learning rate up.
        seed: Seed of the block order and the masks (a resumed run sees the same ones).
        checkpoint_every: Steps between checkpoints (next to the output folder).
        bf16: Train in bfloat16 autocast.
        tiny: A tiny random BERT with the MiniLM vocabulary (tests and CI).
    """

    encoder: str = "minilm"
    steps: int = 1000
    head_steps: int = 100
    batch_size: int = 16
    block: int = 256
    lr: float | None = None
    mask_prob: float = 0.15
    warmup: float = 0.06
    seed: int = 0
    checkpoint_every: int = 100
    bf16: bool = True
    tiny: bool = False


def token_blocks(texts: Iterable[str], tokenizer, block: int, cls: int, sep: int) -> np.ndarray:
    """The word pieces of the texts one after another, cut into rows of `block` pieces that
    start with CLS and end with SEP (the last, partial row is dropped)."""
    body = block - 2
    rows, buffer = [], []
    for text in texts:
        buffer.extend(tokenizer.encode(text, add_special_tokens=False).ids)
        buffer.append(sep)  # article boundary
        while len(buffer) >= body:
            rows.append([cls, *buffer[:body], sep])
            buffer = buffer[body:]
    return np.asarray(rows, dtype=np.int64).reshape(-1, block)


def mask_blocks(
    ids: torch.Tensor, special: torch.Tensor, vocab: int, mask_id: int, prob: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's masking: `prob` of the ordinary pieces become targets; of those 80% are replaced
    by the mask token, 10% by a random piece, 10% kept. Returns (inputs, labels with -100
    where nothing is predicted)."""
    g = torch.Generator().manual_seed(seed)
    chosen = (torch.rand(ids.shape, generator=g) < prob) & ~special
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    roll = torch.rand(ids.shape, generator=g)
    inputs = ids.clone()
    inputs[chosen & (roll < 0.8)] = mask_id
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = torch.randint(vocab, ids.shape, generator=g)[swap]
    return inputs, labels


def _mlm_model(choice: EncoderChoice, tiny: bool, seed: int):
    from transformers import AutoModelForMaskedLM, BertForMaskedLM

    torch.manual_seed(seed)
    if tiny:
        return BertForMaskedLM(tiny_bert_config())
    return AutoModelForMaskedLM.from_pretrained(choice.path, **attention_kwargs(choice))


def _schedule(config: AdaptConfig):
    """Learning-rate factors per step: the head warms up at once and decays linearly; the body
    is frozen (factor 0) for `head_steps`, then warms up and decays."""
    total, head = config.steps, min(config.head_steps, config.steps)
    body_steps = max(1, total - head)
    warm = max(1, int(config.warmup * body_steps))

    def head_factor(s: int) -> float:
        return max(0.0, (total - s) / total)

    def body_factor(s: int) -> float:
        if s < head:
            return 0.0
        k = s - head
        return min((k + 1) / warm, max(0.0, (body_steps - k) / max(1, body_steps - warm)))

    return head_factor, body_factor


def adapt(
    config: AdaptConfig, texts: list[str], out: str | Path, resume: bool = False, progress=True
) -> dict:
    """Masked-LM training of the encoder on `texts`; writes a Hugging Face folder to `out`.

    Raises:
        ProplensError: Too little text for one step, or an output folder that is not ours.
    """
    from proplens.encoder import load_tokenizer
    from proplens.training.loop import CKPT_STATE, _load_ckpt, _save_ckpt

    out = Path(out)
    if out.is_dir() and any(out.iterdir()) and not (out / DESCRIPTION).is_file():
        raise ProplensError(
            f"{out} already holds files not written by `proplens adapt`; choose a new --out "
            "folder (nothing was written)."
        )
    ckpt = out.with_name(out.name + ".ckpt")
    choice = resolve_encoder(config.encoder)
    tokenizer = load_tokenizer(choice.path / "tokenizer.json")
    special = _special_ids(tokenizer)
    blocks = token_blocks(texts, tokenizer, config.block, special["cls"], special["sep"])
    if len(blocks) < config.batch_size:
        raise ProplensError(
            f"The inputs hold {len(blocks)} blocks of {config.block} word pieces, fewer than one "
            f"batch of {config.batch_size}; give more articles or a smaller --batch-size."
        )
    lr = config.lr or choice.lr
    model = _mlm_model(choice, config.tiny, config.seed)
    prefix = model.base_model_prefix
    body = [p for n, p in model.named_parameters() if n.startswith(prefix + ".")]
    head = [p for n, p in model.named_parameters() if not n.startswith(prefix + ".")]
    opt = torch.optim.AdamW([{"params": head}, {"params": body}], lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, list(_schedule(config)))
    step, history = 0, list[dict]()
    if resume and (ckpt / CKPT_STATE).is_file():
        step, history = _load_ckpt(ckpt, model, opt, sched)
    vocab = model.get_input_embeddings().num_embeddings
    not_ordinary = torch.tensor(sorted(set(special.values())))
    order = _block_order(len(blocks), config)
    bar = _bar(config.steps, step, progress)
    started = time.time()
    model.train()
    while step < config.steps:
        rows = order[step * config.batch_size : (step + 1) * config.batch_size]
        ids = torch.from_numpy(blocks[rows])
        inputs, labels = mask_blocks(
            ids,
            torch.isin(ids, not_ordinary),
            vocab,
            special["mask"],
            config.mask_prob,
            config.seed * 1_000_003 + step,
        )
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
            loss = masked_lm_loss(model, inputs, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        history.append({"step": step, "loss": round(loss.item(), 4)})
        if bar:
            bar.update(1)
            bar.set_postfix(loss=f"{float(loss):.3f}")
        if step % 10 == 0:
            _log(f"adapt step={step} loss={loss.item():.4f}")
        if config.checkpoint_every and step % config.checkpoint_every == 0:
            _save_ckpt(ckpt, model, opt, sched, step, history)
    if bar:
        bar.close()
    _save_ckpt(ckpt, model, opt, sched, step, history)
    return _write_folder(config, choice, model, out, history, len(texts), len(blocks), started)


def masked_lm_loss(model, inputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The masked-LM loss with the vocabulary head applied only where a piece is predicted.

    The model's own forward scores every position against the whole vocabulary (4,096 pieces x
    30,522 words a step for MiniLM); only the ~15% of pieces that carry a label count, so the
    head runs on those alone. Same parameters and loss as `model(input_ids, labels=...).loss`.
    """
    hidden = model.base_model(input_ids=inputs).last_hidden_state
    chosen = labels != -100
    head = model.cls if hasattr(model, "cls") else model.lm_head
    logits = head(hidden[chosen])
    return torch.nn.functional.cross_entropy(logits.float(), labels[chosen])


def _special_ids(tokenizer) -> dict[str, int]:
    """CLS/SEP/PAD/MASK ids by the names BERT (`[CLS]`…) or MPNet/RoBERTa (`<s>`…) use."""
    names = {
        "cls": ("[CLS]", "<s>"),
        "sep": ("[SEP]", "</s>"),
        "pad": ("[PAD]", "<pad>"),
        "mask": ("[MASK]", "<mask>"),
    }
    found = {}
    for key, options in names.items():
        ids = [tokenizer.token_to_id(t) for t in options if tokenizer.token_to_id(t) is not None]
        if not ids:
            raise ProplensError(
                f"The encoder's tokenizer has no {' or '.join(options)} token, which masked-LM "
                "training needs; use a BERT-, MPNet- or RoBERTa-style encoder."
            )
        found[key] = ids[0]
    return found


def _block_order(n_blocks: int, config: AdaptConfig) -> np.ndarray:
    """Block indices for every step: shuffled passes over all blocks, fixed by the seed."""
    need = config.steps * config.batch_size
    rng = random.Random(config.seed)
    order: list[int] = []
    while len(order) < need:
        one = list(range(n_blocks))
        rng.shuffle(one)
        order.extend(one)
    return np.asarray(order[:need])


def _bar(total: int, initial: int, progress: bool):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc="adapt", file=sys.stderr, dynamic_ncols=True)


def _write_folder(config, choice, model, out: Path, history, n_texts, n_blocks, started) -> dict:
    """The adapted body (no masked-LM head) as a Hugging Face folder, with the tokenizer and
    proplens-encoder.json."""
    out.mkdir(parents=True, exist_ok=True)
    model.base_model.save_pretrained(out)
    for name in TOKENIZER_FILES:
        if (choice.path / name).is_file():
            shutil.copyfile(choice.path / name, out / name)
    losses = [h["loss"] for h in history]
    description = {
        "name": f"{choice.name}, adapted by proplens on {n_texts} articles",
        "base": choice.name,
        "lr": choice.lr,
        "attention": choice.attention,
        "articles": n_texts,
        "blocks": n_blocks,
        "first_loss": float(np.mean(losses[:20])) if losses else None,
        "final_loss": float(np.mean(losses[-20:])) if losses else None,
        "seconds_this_run": round(time.time() - started, 1),
        "config": asdict(config),
    }
    (out / DESCRIPTION).write_text(json.dumps(description, indent=2) + "\n", encoding="utf-8")
    return description
