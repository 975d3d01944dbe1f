"""Data for a training run: the calibration hold-out, windows, pseudo-labelled articles and
each epoch's batches (fixed by the seed, so a resumed run skips exactly the steps done)."""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from proplens.doc import Doc
from proplens.encoder import load_tokenizer
from proplens.encoders import EncoderChoice, resolve_encoder
from proplens.errors import ProplensError
from proplens.log import log as _log
from proplens.normalize import normalizer
from proplens.taxonomy import Taxonomy, get_taxonomy
from proplens.training.augment import mixed_copies
from proplens.training.config import TrainConfig
from proplens.training.data import (
    batches,
    build_doc,
    build_pseudo_doc,
    repeat_factors,
    resample,
    window_examples,
)


def data_hash(docs: list[Doc]) -> str:
    """SHA-256 over each article's text hash and its sorted gold rows."""
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d.id or ""):
        h.update(d.content_hash.encode())
        for s in d.sorted_spans():
            h.update(f"{s.start}\t{s.end}\t{s.technique}\n".encode())
    return h.hexdigest()


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
    docs, stale = [], 0
    for soft in store.read(config.pseudo_limit):
        td = build_pseudo_doc(
            soft,
            tokenizer,
            normalizer(config.quotes),
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


@dataclass
class Prepared:
    """A run's data, ready to fit: the split, the windows, each epoch's batches."""

    choice: EncoderChoice
    lr: float
    tokenizer_json: Path
    taxonomy: Taxonomy
    fit: list[Doc]
    hold: list[Doc]
    tdocs: list
    plans: list
    first_step: list[int]
    total: int
    pseudo_info: dict | None


def prepare(config: TrainConfig, train_docs: list[Doc]) -> Prepared:
    """Resolve the encoder and taxonomy, hold out calibration articles, build windows and plans."""
    choice = resolve_encoder(config.encoder)
    tokenizer_json = choice.path / "tokenizer.json"
    tokenizer = load_tokenizer(tokenizer_json)
    docs = sorted(train_docs, key=lambda d: d.id or "")
    rng = random.Random(config.seed)
    n_hold = min(config.calib_holdout, max(len(docs) - 1, 0))
    hold_idx = set(rng.sample(range(len(docs)), n_hold)) if n_hold else set()
    hold = [d for i, d in enumerate(docs) if i in hold_idx]
    fit = [d for i, d in enumerate(docs) if i not in hold_idx]
    t0 = time.time()
    taxonomy = get_taxonomy(config.taxonomy)
    norm = normalizer(config.quotes)
    mixed = mixed_copies(fit, config.mix_paragraphs, config.seed) if config.mix_paragraphs else []
    tdocs = [
        build_doc(d, tokenizer, norm, config.window, config.stride, taxonomy.labels)
        for d in fit + mixed
    ]
    examples = window_examples(tdocs)
    pseudo_docs, pseudo_info = _pseudo_docs(config, tokenizer, taxonomy)
    pseudo_examples = window_examples(pseudo_docs)
    plans = _epoch_plans(examples, config, pseudo_examples)
    first_step = np.cumsum([0] + [len(p) for p in plans]).tolist()
    total = min(first_step[-1], config.max_steps or first_step[-1])
    _log(
        f"{len(fit)} training articles (+{len(mixed)} mixed-context copies), {len(hold)} held "
        f"out for calibration, {len(examples)} windows, {len(pseudo_docs)} pseudo-labelled "
        f"articles ({len(pseudo_examples)} windows), {len(plans[0]) if plans else 0} "
        f"steps/epoch, {total} steps (prep {time.time() - t0:.1f}s)"
    )
    lr = config.lr if config.lr is not None else choice.lr
    return Prepared(
        choice,
        lr,
        tokenizer_json,
        taxonomy,
        fit,
        hold,
        tdocs,
        plans,
        first_step,
        total,
        pseudo_info,
    )
