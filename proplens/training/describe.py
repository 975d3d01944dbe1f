"""What a training run writes about itself: config.json, meta.json and the model card; then the
lexical model, calibration and dev scores."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import torch

from proplens import __version__
from proplens.log import log as _log
from proplens.stages.lexical import LEXICAL_JSON, LEXICAL_WEIGHTS
from proplens.token_features import TOKEN_FEATURES_VERSION
from proplens.training.config import TrainConfig, dev_protocol_scores
from proplens.training.prepare import Prepared, data_hash


def model_config(config: TrainConfig, prep: Prepared, fitted) -> dict:
    """config.json of the exported folder, from the run's settings and the fitted stages."""
    crf = fitted.model.crf
    return {
        "format": 1,
        "encoder": {
            "window": config.window,
            "stride": config.stride,
            "hidden": fitted.model.encoder.config.hidden_size,
            "token_features": TOKEN_FEATURES_VERSION if config.token_features else None,
        },
        "span_detector": {
            "token_threshold": config.token_threshold,
            "low_threshold": config.low_threshold,
            "calibration": [1.0, 0.0],
            "split_on_b": True,
            "require_content_word": True,
            "crf": crf.to_config() if crf is not None else None,
            "trim_stop_end": config.trim_stop_end,
            "sentence_bound": config.sentence_bound,
        },
        "technique_classifier": {
            "labels": list(prep.taxonomy.labels),
            "temperature": 1.0,
            "second_threshold": config.second_threshold,
            "n_alternatives": 3,
        },
        "threshold": config.threshold,
        "normalize": {"quotes": config.quotes},
        "taxonomy": prep.taxonomy.to_config(),
    }


def model_meta(config: TrainConfig, prep: Prepared, fitted, train_docs, seconds) -> dict:
    """meta.json: versions, data hashes, the run's settings, losses and times."""
    history = fitted.history
    return {
        "name": config.model_name,
        "version": time.strftime("%Y%m%d.%H%M", time.gmtime()),
        "proplens_version": __version__,
        "torch_version": torch.__version__,
        "transformers_version": _transformers_version(),
        "base_model": "tiny-random-bert" if config.tiny else prep.choice.name,
        "encoder_lr": prep.lr,
        "labels": list(prep.taxonomy.labels),
        "taxonomy": prep.taxonomy.name,
        "training_data_sha256": data_hash(train_docs),
        "trained_on": [d.id for d in train_docs],
        "calibration_holdout": [d.id for d in prep.hold],
        "pseudo_labels": prep.pseudo_info,
        "dev_protocol_scores": dev_protocol_scores(config.dev_protocol)
        if config.dev_protocol
        else None,
        "train_config": asdict(config),
        "train_seconds": round(seconds, 1),
        "epoch_seconds": [round(x, 1) for x in fitted.epoch_times],
        "first_loss": history[0] if history else None,
        "final_loss": history[-1] if history else None,
        "onnx": "opset 17, eager attention, int8 per-channel dynamic quantisation"
        + (
            f"; weight-only 8-bit blocks of 128 for {', '.join(prep.choice.weight_only)}"
            if prep.choice.weight_only and not config.tiny
            else ""
        ),
        "dev_scores": None,
    }


def finish(config: TrainConfig, prep: Prepared, out: Path, cfg: dict, meta: dict, dev_docs):
    """Fit the lexical model, calibrate on the hold-out, score dev; rewrite the JSON each time."""
    lexical = config.lexical and len({s.technique for d in prep.fit for s in d.spans}) >= 2
    if config.lexical and not lexical:
        _log("fewer than two techniques in the training spans: no lexical model is fitted")
    if lexical:
        from proplens.training.lexical import add_lexical

        weight = add_lexical(out, prep.fit, prep.hold, config.lexical_c)
        cfg["technique_classifier"]["lexical_weight"] = weight
        _log(f"lexical model fitted, weight {weight}")
        fp32 = out.parent / f"{out.name}.fp32"
        if fp32.is_dir():
            for name in (LEXICAL_JSON, LEXICAL_WEIGHTS):
                shutil.copyfile(out / name, fp32 / name)
        _write_json(out, cfg, meta)
    if prep.hold:
        from proplens.training.calibrate import calibrate

        cfg = calibrate(out, prep.hold)
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
    from proplens.model_card import model_card

    for folder in (out, out.parent / f"{out.name}.fp32"):
        if folder.is_dir():
            (folder / "config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
            m = dict(meta, onnx="fp32") if folder != out else meta
            (folder / "meta.json").write_text(json.dumps(m, indent=2) + "\n", encoding="utf-8")
            (folder / "README.md").write_text(model_card(cfg, m), encoding="utf-8")
