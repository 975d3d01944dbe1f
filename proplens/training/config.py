"""The settings of a training run: one dataclass, the single source of `proplens train`'s options
(a test checks every option against it), validated before torch is imported."""

from __future__ import annotations

from dataclasses import dataclass

from proplens.errors import ProplensError
from proplens.normalize import QUOTE_STYLES
from proplens.taxonomy import DEFAULT_TAXONOMY


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
    quotes: str = "curly"  # the quote style the model reads (proplens.normalize.requote)
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
    trim_stop_end: bool = True  # cut trailing stop words off spans (dev: SI +0.0-0.1, FLC +0.2-0.4)
    sentence_bound: bool = True  # spans grow over weak tokens only within a sentence
    second_threshold: float = 0.3
    threshold: float = 0.05
    dev_protocol: str | None = None  # the same recipe trained without dev: its dev scores
    name: str | None = None  # None: proplens-<encoder> (proplens-minilm, proplens-mpnet)

    @property
    def model_name(self) -> str:
        if self.name:
            return self.name
        return f"proplens-{self.encoder}" if self.encoder in ("minilm", "mpnet") else "proplens"


def check_config(config: TrainConfig) -> None:
    """Refuse settings that cannot work together, in a sentence naming the options.

    Raises:
        ProplensError: e.g. a stride longer than the window, or `crf` with soft labels.
    """
    if config.stride > config.window - 2:
        raise ProplensError(
            f"The stride ({config.stride}) must be at most the window minus 2 "
            f"({config.window - 2}), or some word pieces would never be seen; lower --stride."
        )
    if config.quotes not in QUOTE_STYLES:
        raise ProplensError(
            f"--quotes must be one of {', '.join(QUOTE_STYLES)}, not {config.quotes!r}."
        )
    if config.crf and config.pseudo:
        raise ProplensError(
            "--crf cannot learn from soft labels (--pseudo); train the student without --crf."
        )
    if config.dev_protocol and not dev_protocol_scores(config.dev_protocol):
        raise ProplensError(
            f"{config.dev_protocol} holds no model scored on dev (its meta.json has no "
            "dev_scores); pass the folder `proplens train --dev` wrote for the dev protocol."
        )
    if config.low_threshold is not None and config.low_threshold > config.token_threshold:
        raise ProplensError(
            f"The low threshold ({config.low_threshold}) must not exceed the token threshold "
            f"({config.token_threshold}); lower --low-threshold."
        )


def dev_protocol_scores(folder: str) -> dict | None:
    """The dev scores of a model trained without dev (`--dev-protocol`), with where they came
    from, or None when its meta.json has none."""
    import json
    from pathlib import Path

    try:
        meta = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    scores = meta.get("dev_scores")
    if not isinstance(scores, dict):
        return None
    return {**scores, "from": f"{meta.get('name')} {meta.get('version')} ({folder})"}
