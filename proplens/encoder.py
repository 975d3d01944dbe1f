"""The shared encoder runtime: tokenisation with offsets, sliding windows, ONNX inference.

Only onnxruntime, tokenizers and numpy are needed here (no torch). Training imports the same
window planning so that the model sees identical windows at training and inference time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from proplens.token_features import token_feature_ids

FEATURES_INPUT = "token_features"


@dataclass(frozen=True)
class SpecialTokens:
    """The ids an encoder wraps each window in, and pads with (read from its tokenizer).

    BERT-style tokenizers use `[CLS] … [SEP]` (101, 102) and pad with 0; RoBERTa/MPNet-style
    ones use `<s> … </s>` (0, 2) and pad with 1.
    """

    cls: int
    sep: int
    pad: int

    def wrap(self, ids: np.ndarray) -> np.ndarray:
        """`ids` with the opening and closing token around them."""
        return np.concatenate([[self.cls], ids, [self.sep]]).astype(np.int64)


def special_tokens(tokenizer, where: str | Path = "the tokenizer") -> SpecialTokens:
    """Read the opening, closing and padding ids from a `tokenizers.Tokenizer`.

    The opening and closing ids are what the tokenizer's own post-processor adds around a text
    (encoded once with and once without special tokens); the padding id is its padding setting,
    else the id of its special token `[PAD]` or `<pad>`.

    Raises:
        ModelError: The tokenizer does not add exactly one token before and one after a text,
            or has no padding token.
    """
    from proplens.errors import ModelError

    plain = tokenizer.encode("a", add_special_tokens=False).ids
    full = tokenizer.encode("a", add_special_tokens=True).ids
    n = len(plain)
    if len(full) != n + 2 or full[1 : 1 + n] != plain:
        raise ModelError(
            f"The tokenizer in {where} wraps a text in {len(full) - n} special tokens "
            f"({full} around {plain}); proplens needs an encoder that adds one token before "
            "and one after a text, as BERT ([CLS] … [SEP]) and RoBERTa/MPNet (<s> … </s>) do."
        )
    padding = tokenizer.padding
    pad = padding.get("pad_id") if padding else None
    if pad is None:  # `load_tokenizer` switches padding off: take the special padding token
        added = tokenizer.get_added_tokens_decoder()
        pads = [i for i, t in added.items() if t.special and t.content in ("[PAD]", "<pad>")]
        pad = min(pads) if pads else None
    if pad is None:
        raise ModelError(
            f"The tokenizer in {where} has no padding token ([PAD] or <pad>) and no padding "
            "setting; add one to its tokenizer.json."
        )
    return SpecialTokens(cls=full[0], sep=full[-1], pad=int(pad))


def load_tokenizer(path: str | Path):
    """Load a `tokenizer.json` with truncation and padding switched off.

    Args:
        path: The tokenizer.json file.
    Returns:
        A `tokenizers.Tokenizer`.
    """
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    return tok


def tokenize(tokenizer, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Word-piece ids and `[start, end)` character offsets of `text`, without special tokens.

    Returns:
        `(ids, offsets)`: int64 arrays of shape `(n,)` and `(n, 2)`.
    """
    enc = tokenizer.encode(text, add_special_tokens=False)
    ids = np.asarray(enc.ids, dtype=np.int64)
    offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    return ids, offsets


def char_to_tokens(offsets: np.ndarray, start: int, end: int) -> tuple[int, int] | None:
    """First and last token overlapping the characters `[start, end)`, or None when none does."""
    # Word-piece offsets are sorted, so the tokens ending after `start` form a suffix and those
    # starting before `end` a prefix: two binary searches instead of a scan of the article.
    first = int(np.searchsorted(offsets[:, 1], start, side="right"))
    last = int(np.searchsorted(offsets[:, 0], end, side="left")) - 1
    return (first, last) if first <= last else None


def plan_windows(
    n_tokens: int, size: int = 256, stride: int = 224, short_tail: bool = False
) -> list[tuple[int, int]]:
    """Split `n_tokens` word pieces into overlapping windows of `size - 2` pieces (+ CLS/SEP).

    By default the last window is aligned to the end, so every window of a long text has the same
    length. With `short_tail`, the last window instead starts at the next stride (it is shorter and
    costs less).

    Returns:
        `(start, end)` token ranges covering `[0, n_tokens)`.
    """
    inner = size - 2
    step = min(stride, inner)
    if n_tokens <= inner:
        return [(0, n_tokens)]
    if short_tail:
        return [(s, min(s + inner, n_tokens)) for s in range(0, n_tokens - (inner - step), step)]
    starts = list(range(0, n_tokens - inner, step)) + [n_tokens - inner]
    return [(s, s + inner) for s in dict.fromkeys(starts)]


def owner_windows(
    windows: Sequence[tuple[int, int]], n_tokens: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each token, the window where it sits farthest from an edge, and its index there.

    Returns:
        `(window_index, position)` arrays of shape `(n_tokens,)`; positions count the CLS token.
    """
    best = np.full(n_tokens, -1, dtype=np.int64)
    pos = np.zeros(n_tokens, dtype=np.int64)
    margin = np.full(n_tokens, -1, dtype=np.int64)
    for w, (s, e) in enumerate(windows):
        idx = np.arange(s, e)
        m = np.minimum(idx - s, e - 1 - idx)
        better = m > margin[s:e]
        margin[s:e] = np.where(better, m, margin[s:e])
        best[s:e] = np.where(better, w, best[s:e])
        pos[s:e] = np.where(better, idx - s + 1, pos[s:e])
    return best, pos


@dataclass
class Encoded:
    """One text run through the encoder: per-token outputs reconciled across windows."""

    ids: np.ndarray  # (n,)
    offsets: np.ndarray  # (n, 2) char offsets into the text given to the encoder
    hidden: np.ndarray  # (n, H) float32
    tag_logits: np.ndarray  # (n, 3): O, B, I


class Encoder:
    """An ONNX token encoder with a tokenizer; returns hidden states and BIO logits per token.

    Args:
        model_dir: A folder holding `model.onnx` and `tokenizer.json`.
        window: Window length in word pieces, CLS and SEP included.
        stride: Step between window starts.
        threads: onnxruntime intra-op threads (None = onnxruntime's default).
        short_tail: Let the last window of a text be shorter (see `plan_windows`).
    """

    def __init__(
        self,
        model_dir: str | Path,
        window: int = 256,
        stride: int = 224,
        threads: int | None = None,
        short_tail: bool = False,
    ):
        import onnxruntime as ort

        model_dir = Path(model_dir)
        self.path = model_dir
        self.settings: dict = {}  # this stage's part of config.json, as loaded
        self.tokenizer = load_tokenizer(model_dir / "tokenizer.json")
        self.special = special_tokens(self.tokenizer, model_dir / "tokenizer.json")
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(
            str(model_dir / "model.onnx"), opts, providers=["CPUExecutionProvider"]
        )
        self.window = window
        self.stride = stride
        self.short_tail = short_tail
        # Models trained with `token_features` take a third input (see proplens.token_features).
        self.token_features = any(i.name == FEATURES_INPUT for i in self.session.get_inputs())

    name = "encoder"

    @classmethod
    def from_disk(cls, folder: Path, cfg: dict, threads: int | None = None) -> Encoder:
        """The encoder stage of a model folder, with its part of config.json."""
        enc = cls(
            folder,
            window=cfg.get("window", 256),
            stride=cfg.get("stride", 224),
            threads=threads,
            short_tail=cfg.get("short_tail", False),
        )
        enc.settings = dict(cfg)
        return enc

    def to_config(self) -> dict:
        """This stage's part of config.json (window, stride, width, token features)."""
        cfg = dict(self.settings)
        cfg.update(window=self.window, stride=self.stride)
        if self.short_tail:
            cfg["short_tail"] = True
        return cfg

    def to_disk(self, folder: Path) -> None:
        """Copy the ONNX graph (with its weight parts) and the tokenizer into `folder`."""
        import shutil

        folder = Path(folder)
        if folder.resolve() == self.path.resolve():
            return
        for old in folder.glob("model.onnx.data*"):
            old.unlink()
        names = ["model.onnx", "tokenizer.json"]
        names += [p.name for p in self.path.glob("model.onnx.data*")]
        for name in names:
            shutil.copyfile(self.path / name, folder / name)

    def encode(self, texts: Sequence[str]) -> list[Encoded]:
        """Encode texts, one window per ONNX call, so a text encodes the same whatever its company.

        Args:
            texts: The (normalised) texts.
        Returns:
            One `Encoded` per text, in order.
        """
        toks = [tokenize(self.tokenizer, t) for t in texts]
        feats = (
            [token_feature_ids(t, offsets) for t, (_, offsets) in zip(texts, toks, strict=True)]
            if self.token_features
            else None
        )
        jobs = []  # (doc, window index, start, end)
        plans = []
        for d, (ids, _) in enumerate(toks):
            plan = plan_windows(len(ids), self.window, self.stride, self.short_tail)
            plans.append(plan)
            for w, (s, e) in enumerate(plan):
                if e > s:
                    jobs.append((d, w, s, e))
        # One window per ONNX call, unpadded: a window's output then depends on its own word
        # pieces only, never on which other windows (of this or other articles) share a batch
        # (the int8 model's activation scales are computed over the whole input).
        outs: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        for d, w, s, e in jobs:
            ids = self.special.wrap(toks[d][0][s:e])[None, :]
            ln = ids.shape[1]
            inputs = {"input_ids": ids, "attention_mask": np.ones((1, ln), dtype=np.int64)}
            if feats is not None:
                fids = np.zeros((1, ln), dtype=np.int64)
                fids[0, 1 : ln - 1] = feats[d][s:e]
                inputs[FEATURES_INPUT] = fids
            hidden, tags = self.session.run(["hidden", "tag_logits"], inputs)
            outs[(d, w)] = (hidden[0], tags[0])
        result = []
        for d, (ids, offsets) in enumerate(toks):
            n = len(ids)
            if n == 0:
                width = self.session.get_outputs()[0].shape[-1]
                h_dim = width if isinstance(width, int) else 0
                result.append(
                    Encoded(
                        ids, offsets, np.zeros((0, h_dim), np.float32), np.zeros((0, 3), np.float32)
                    )
                )
                continue
            win, pos = owner_windows(plans[d], n)
            first_h, first_t = outs[(d, int(win[0]))]
            hid = np.empty((n, first_h.shape[-1]), np.float32)
            tag = np.empty((n, first_t.shape[-1]), np.float32)
            for w in np.unique(win):
                sel = win == w
                h, tg = outs[(d, int(w))]
                hid[sel] = h[pos[sel]]
                tag[sel] = tg[pos[sel]]
            result.append(Encoded(ids, offsets, hid, tag))
        return result
