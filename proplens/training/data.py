"""Turn gold `Doc`s into windowed training examples (BIO tags, token techniques, gold spans)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import numpy as np

from proplens.doc import Doc
from proplens.encoder import (
    SpecialTokens,
    char_to_tokens,
    plan_windows,
    special_tokens,
    tokenize,
)
from proplens.errors import UnknownTechniqueError
from proplens.stages.features import N_FEATURES, DocStats, span_features
from proplens.techniques import LABELS
from proplens.token_features import token_feature_ids

O, B, I = 0, 1, 2  # noqa: E741
# A sentence ends at a line break, or after . ! ? (and closing quotes) before white space.
SENTENCE_BREAK = re.compile(r"\n+|(?<=[.!?])[\"”’')]*\s+")


@dataclass
class GoldSpan:
    tok_start: int  # first token (inclusive)
    tok_end: int  # last token (inclusive)
    target: np.ndarray  # (n_labels,) multi-hot, or a teacher's technique distribution
    weight: float = 1.0  # a teacher's span: its score times the pseudo-label weight


@dataclass
class TrainDoc:
    id: str | None
    clean: str
    ids: np.ndarray
    offsets: np.ndarray
    tags: np.ndarray
    tok_tech: np.ndarray
    spans: list[GoldSpan]
    stats: DocStats
    windows: list[tuple[int, int]] = field(default_factory=list)
    token_features: np.ndarray | None = None  # (n,) ids from `token_feature_ids`
    sentences: np.ndarray | None = None  # (n,) sentence index of each token
    special: SpecialTokens | None = None  # the tokenizer's opening, closing and padding ids
    soft_tags: np.ndarray | None = None  # (n, 3) a teacher's P(O, B, I): a pseudo-labelled doc


def sentence_ids(clean: str, offsets: np.ndarray) -> np.ndarray:
    """The sentence index of each word piece (sentences split by `SENTENCE_BREAK`)."""
    ends = np.array([m.end() for m in SENTENCE_BREAK.finditer(clean)], dtype=np.int64)
    if not len(offsets):
        return np.zeros(0, np.int64)
    return np.searchsorted(ends, offsets[:, 0], side="right").astype(np.int64)


def clean_spans(doc: Doc, normalize) -> tuple[str, list[tuple[int, int, str]]]:
    """The normalised text and the doc's gold spans mapped onto it."""
    clean, omap = normalize(doc.text)
    out = []
    for s in doc.spans:
        if s.technique is None:
            continue
        mapped = omap.to_clean(s.start, s.end, alignment_mode="strict")
        if mapped is not None:
            out.append((mapped[0], mapped[1], s.technique))
    return clean, out


def build_doc(
    doc: Doc,
    tokenizer,
    normalize,
    window: int,
    stride: int,
    labels: tuple[str, ...] = LABELS,
) -> TrainDoc:
    """Tokenise one gold doc and label its tokens.

    Args:
        doc: A doc with gold spans in raw offsets.
        tokenizer: A `tokenizers.Tokenizer`.
        normalize: `normalize(raw) -> (clean, OffsetMap)`.
        window: Window size in word pieces.
        stride: Step between windows.
        labels: The taxonomy's labels, in the order of the model's outputs.
    """
    index = {name: i for i, name in enumerate(labels)}
    clean, spans = clean_spans(doc, normalize)
    ids, offsets = tokenize(tokenizer, clean)
    n = len(ids)
    tags = np.zeros(n, dtype=np.int64)
    tok_tech = np.zeros((n, len(labels)), dtype=np.float32)
    inside = np.zeros(n, dtype=bool)
    grouped: dict[tuple[int, int], np.ndarray] = {}
    for cs, ce, tech in spans:
        if tech not in index:
            raise UnknownTechniqueError(
                f"Article {doc.id} has a gold span labelled {tech!r}, which is not one of the "
                f"taxonomy's techniques ({', '.join(labels)}); train with the taxonomy that "
                "holds it (`--taxonomy`)."
            )
        toks = char_to_tokens(offsets, cs, ce) if n else None
        if toks is None:
            continue
        ts, te = toks
        inside[ts : te + 1] = True
        tok_tech[ts : te + 1, index[tech]] = 1.0
        grouped.setdefault((ts, te), np.zeros(len(labels), np.float32))[index[tech]] = 1.0
    # BIO over the union of spans: a region starts wherever a gold span starts or after O.
    starts = {ts for ts, _ in grouped}
    for t in range(n):
        if inside[t]:
            tags[t] = B if (t == 0 or not inside[t - 1] or t in starts) else I
    gold = [GoldSpan(ts, te, tgt) for (ts, te), tgt in sorted(grouped.items())]
    td = TrainDoc(doc.id, clean, ids, offsets, tags, tok_tech, gold, DocStats(clean))
    td.windows = plan_windows(n, window, stride) if n else []
    td.token_features = token_feature_ids(clean, offsets)
    td.sentences = sentence_ids(clean, offsets)
    td.special = special_tokens(tokenizer)
    return td


@dataclass
class WindowExample:
    doc: TrainDoc
    start: int
    end: int


def window_examples(docs: list[TrainDoc]) -> list[WindowExample]:
    return [WindowExample(d, s, e) for d in docs for s, e in d.windows]


def window_spans(ex: WindowExample) -> list[GoldSpan]:
    """The gold spans that lie wholly inside a window."""
    return [g for g in ex.doc.spans if g.tok_start >= ex.start and g.tok_end < ex.end]


def _span_rows(ex: WindowExample, row: int, rng: random.Random, jitter: float):
    """Span-head rows for one window: gold spans inside it, plus jittered copies."""
    d = ex.doc
    out = []
    for g in window_spans(ex):
        cands = [(g.tok_start, g.tok_end, 1.0)]
        if jitter and rng.random() < jitter:
            ts = min(max(g.tok_start + rng.randint(-2, 2), ex.start), g.tok_end)
            te = max(min(g.tok_end + rng.randint(-2, 2), ex.end - 1), ts)
            if (ts, te) != (g.tok_start, g.tok_end):
                cands.append((ts, te, 0.5))
        for ts, te, w in cands:
            cs, ce = int(d.offsets[ts, 0]), int(d.offsets[te, 1])
            feats = span_features(d.stats, cs, ce, te - ts + 1)
            out.append((row, ts - ex.start + 1, te - ex.start + 1, feats, g.target, w * g.weight))
    return out


def collate(batch: list[WindowExample], rng: random.Random, jitter: float = 0.5) -> dict:
    """Pad a batch of windows and gather its span rows (numpy arrays; the loop converts)."""
    length = max(ex.end - ex.start for ex in batch) + 2
    n = len(batch)
    special = batch[0].doc.special
    assert special is not None, "TrainDoc built without its tokenizer's special tokens"
    n_labels = batch[0].doc.tok_tech.shape[1]
    ids = np.full((n, length), special.pad, np.int64)
    mask = np.zeros((n, length), np.int64)
    tags = np.full((n, length), -100, np.int64)
    tech = np.zeros((n, length, n_labels), np.float32)
    tech_mask = np.zeros((n, length), np.float32)
    token_features = np.zeros((n, length), np.int64)
    soft = np.zeros((n, length, 3), np.float32)
    soft_mask = np.zeros((n, length), np.float32)
    sent = np.full((n, length), -1, np.int64)
    sent_label: list[float] = []
    rows = []
    for r, ex in enumerate(batch):
        d, s, e = ex.doc, ex.start, ex.end
        ln = e - s + 2
        ids[r, :ln] = special.wrap(d.ids[s:e])
        mask[r, :ln] = 1
        if d.token_features is not None:
            token_features[r, 1 : ln - 1] = d.token_features[s:e]
        rows.extend(_span_rows(ex, r, rng, jitter))
        if d.soft_tags is not None:  # pseudo-labelled: soft BIO targets only
            soft[r, 1 : ln - 1] = d.soft_tags[s:e]
            soft_mask[r, 1 : ln - 1] = 1.0
            continue
        tags[r, 1 : ln - 1] = d.tags[s:e]
        tech[r, 1 : ln - 1] = d.tok_tech[s:e]
        tech_mask[r, 1 : ln - 1] = d.tags[s:e] != O
        if d.sentences is not None and e > s:
            local = d.sentences[s:e] - d.sentences[s]
            sent[r, 1 : ln - 1] = local + len(sent_label)
            sent_label.extend(np.bincount(local, weights=d.tags[s:e] != O) > 0)
    if rows:
        sb, ss, se, sf, st, sw = zip(*rows, strict=True)
        spans = {
            "row": np.array(sb, np.int64),
            "start": np.array(ss, np.int64),
            "end": np.array(se, np.int64),
            "feats": np.stack(sf).astype(np.float32),
            "target": np.stack(st).astype(np.float32),
            "weight": np.array(sw, np.float32),
        }
    else:
        spans = {
            "row": np.zeros(0, np.int64),
            "start": np.zeros(0, np.int64),
            "end": np.zeros(0, np.int64),
            "feats": np.zeros((0, N_FEATURES), np.float32),
            "target": np.zeros((0, n_labels), np.float32),
            "weight": np.zeros(0, np.float32),
        }
    return {
        "ids": ids,
        "mask": mask,
        "token_features": token_features,
        "tags": tags,
        "tech": tech,
        "tech_mask": tech_mask,
        "soft": soft,
        "soft_mask": soft_mask,
        "sent": sent,
        "sent_label": np.array(sent_label, np.float32),
        **spans,
    }


def batches(examples: list[WindowExample], batch_size: int, seed: int) -> list[list[WindowExample]]:
    """Length-bucketed, shuffled batches (deterministic per seed, so resuming skips exactly)."""
    rng = random.Random(seed)
    order = sorted(examples, key=lambda ex: (ex.end - ex.start, rng.random()))
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(chunks)
    return chunks


def repeat_factors(examples: list[WindowExample], threshold: float) -> np.ndarray:
    """Repeat-factor sampling (Gupta et al., LVIS, 2019) for rare techniques.

    A technique found in a share f of the windows (as a whole gold span) gets
    r = max(1, sqrt(threshold / f)); a window is repeated by the largest r of its techniques,
    so windows holding rare techniques are seen more often and the rest once.
    """
    n_labels = examples[0].doc.tok_tech.shape[1] if examples else len(LABELS)
    has = np.zeros((len(examples), n_labels), bool)
    for i, ex in enumerate(examples):
        for g in window_spans(ex):
            has[i] |= g.target > 0
    share = has.mean(0) if len(examples) else np.zeros(n_labels)
    per_label = np.maximum(1.0, np.sqrt(threshold / np.maximum(share, 1e-12)))
    return np.array([per_label[h].max(initial=1.0) for h in has])


def resample(
    examples: list[WindowExample], factors: np.ndarray, rng: random.Random
) -> list[WindowExample]:
    """Each window floor(r) times, plus once more with probability r - floor(r)."""
    out = []
    for ex, r in zip(examples, factors, strict=True):
        n = int(r)
        n += rng.random() < r - n
        out.extend([ex] * n)
    return out


def build_pseudo_doc(
    soft,
    tokenizer,
    normalize,
    window: int,
    stride: int,
    weight: float = 1.0,
    min_score: float = 0.3,
) -> TrainDoc | None:
    """A teacher-labelled article (`proplens.distill.SoftDoc`) as a training doc for a student.

    The teacher's P(O, B, I) per word piece is carried onto this tokenizer's word pieces by
    character offsets (a piece takes the teacher piece its first character lies in; a later piece
    of the same teacher piece is inside, not beginning, a span). Candidate spans scoring at
    least `min_score` become span-head targets with the teacher's technique distribution,
    weighted by `weight` times their score.

    Returns:
        The doc, or None when normalisation no longer gives the text the teacher labelled.
    """
    from proplens.distill import clean_sha1

    clean, _ = normalize(soft.text)
    if clean_sha1(clean) != soft.clean_sha1:
        return None
    ids, offsets = tokenize(tokenizer, clean)
    n = len(ids)
    if n == 0 or len(soft.offsets) == 0:
        return None
    src = np.searchsorted(soft.offsets[:, 0], offsets[:, 0], side="right") - 1
    src = np.clip(src, 0, len(soft.offsets) - 1)
    probs = soft.probs[src].astype(np.float32)
    repeat = np.zeros(n, bool)
    repeat[1:] = src[1:] == src[:-1]
    probs[repeat, 2] += probs[repeat, 1]
    probs[repeat, 1] = 0.0
    probs /= probs.sum(-1, keepdims=True)
    gold = []
    for (cs, ce), score, dist in zip(soft.spans, soft.span_score, soft.span_probs, strict=True):
        toks = char_to_tokens(offsets, int(cs), int(ce)) if score >= min_score else None
        if toks is not None and float(dist.sum()) > 0:
            target = dist.astype(np.float32)
            gold.append(GoldSpan(toks[0], toks[1], target, weight * float(score)))
    td = TrainDoc(
        soft.id,
        clean,
        ids,
        offsets,
        np.zeros(n, np.int64),
        np.zeros((0, soft.span_probs.shape[1]), np.float32),
        gold,
        DocStats(clean),
    )
    td.windows = plan_windows(n, window, stride)
    td.token_features = token_feature_ids(clean, offsets)
    td.special = special_tokens(tokenizer)
    td.soft_tags = probs
    return td
