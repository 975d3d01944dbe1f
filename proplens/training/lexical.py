"""Fit the lexical technique model (scikit-learn, `train` extra) and choose its mixing weight."""

from __future__ import annotations

import numpy as np

from proplens.doc import Doc
from proplens.stages.features import DocStats
from proplens.stages.lexical import ANALYZERS, BLOCKS, LexicalModel, span_parts

BLOCK_WEIGHTS = {"words": 1.0, "chars": 1.0, "context": 0.5}
MIN_DF = {"words": 1, "chars": 2, "context": 2}
MAX_TERMS = {"words": 40000, "chars": 60000, "context": 20000}


def span_rows(docs: list[Doc], labels: tuple[str, ...]):
    """Span texts, contexts, hand features and label indices of every gold span row."""
    frags, contexts, feats, y = [], [], [], []
    for d in docs:
        stats = DocStats(d.text)
        for s in d.spans:
            if s.technique not in labels:
                continue
            frag, context, f = span_parts(stats, s.start, s.end)
            frags.append(frag)
            contexts.append(context)
            feats.append(f)
            y.append(labels.index(s.technique))
    return frags, contexts, np.array(feats, np.float32).reshape(len(y), -1), np.array(y)


def fit_lexical(
    docs: list[Doc], labels: tuple[str, ...], c: float = 10.0, max_iter: int = 3000
) -> LexicalModel:
    """Fit on the gold spans of `docs` (normalised texts, clean offsets).

    Args:
        docs: Training docs.
        labels: The technique order of the output columns.
        c: Inverse L2 strength of the logistic regression (10 was best on the calibration
            hold-out of PTC train among 1, 3, 10, 30).
    """
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    frags, contexts, feats, y = span_rows(docs, labels)
    if len(set(y.tolist())) < 2:
        raise ValueError(
            "The lexical model needs gold spans of at least two techniques to learn from; "
            "give `proplens train` more annotated articles."
        )
    parts, vocab, idf = [], {}, {}
    for block, texts in zip(BLOCKS, (frags, frags, contexts), strict=True):
        vec = TfidfVectorizer(
            analyzer=ANALYZERS[block],
            sublinear_tf=True,
            min_df=min(MIN_DF[block], len(y)),
            max_features=MAX_TERMS[block],
        )
        parts.append(vec.fit_transform(texts) * BLOCK_WEIGHTS[block])
        vocab[block] = vec.get_feature_names_out().tolist()
        idf[block] = vec.idf_.astype(np.float32)
    x = hstack([*parts, csr_matrix(feats)]).tocsr()
    lr = LogisticRegression(C=c, max_iter=max_iter)
    lr.fit(x, y)
    coef = np.zeros((x.shape[1], len(labels)), np.float32)
    intercept = np.full(len(labels), -30.0, np.float32)  # techniques absent from the data
    coef[:, lr.classes_] = lr.coef_.T if len(lr.classes_) > 2 else _binary(lr.coef_.T)
    intercept[lr.classes_] = lr.intercept_ if len(lr.classes_) > 2 else [0.0, lr.intercept_[0]]
    return LexicalModel(vocab, idf, BLOCK_WEIGHTS, coef, intercept)


def _binary(coef: np.ndarray) -> np.ndarray:
    """A two-class logistic regression as two softmax columns (class 0 fixed at zero)."""
    return np.concatenate([np.zeros_like(coef), coef], axis=1)


def choose_weight(
    nn_logits: list[np.ndarray],
    lex_logits: list[np.ndarray],
    gold: list[Doc],
    labels: tuple[str, ...],
    grid: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
) -> float:
    """The mixing weight of the lexical model that best predicts the techniques of held-out
    `gold`: the lowest negative log-likelihood of the gold techniques after fitting each mix's
    softmax temperature (the temperature is fitted again on the chosen mix by `calibrate`).

    The log-likelihood uses every span's whole distribution, so on a hold-out of a few hundred
    spans it is steadier than micro-F1, which only sees which technique comes first. Ties go
    to the smaller weight.
    """
    from proplens.stages.technique_classifier import log_softmax
    from proplens.training.calibrate import fit_temperature, gold_targets

    targets = np.concatenate([gold_targets(d, labels) for d in gold])
    if not len(targets):
        return 0.3
    targets = targets / np.maximum(targets.sum(-1, keepdims=True), 1e-9)
    best_w, best_nll = 0.0, np.inf
    for w in grid:
        mixed = np.concatenate(
            [
                (1 - w) * log_softmax(zn) + w * log_softmax(zl)
                for zn, zl in zip(nn_logits, lex_logits, strict=True)
            ]
        )
        nll = float(
            -(targets * log_softmax(mixed / fit_temperature([mixed], [targets]))).sum(-1).mean()
        )
        if nll < best_nll - 1e-9:
            best_w, best_nll = float(w), nll
    return best_w


def add_lexical(folder, fit: list[Doc], hold: list[Doc], c: float = 10.0) -> float:
    """Fit the lexical model on `fit`, save it into the model `folder`, choose its weight on
    `hold` (0.3 when there is no hold-out or it has no spans) and write that into config.json;
    returns the weight.

    Args:
        folder: A model folder written by `proplens train` (its encoder and head are used).
        fit: Gold docs in raw offsets (normalised here, as the pipeline does).
        hold: Held-out gold docs for choosing the weight.
    """
    import json
    from pathlib import Path

    from proplens.evaluation import Evaluation
    from proplens.normalize import normalizer, quote_style
    from proplens.pipeline import load
    from proplens.training.data import clean_spans

    folder = Path(folder)
    config = json.loads((folder / "config.json").read_text())
    normalize = normalizer(quote_style(config))
    docs = []
    for d in fit:
        clean, spans = clean_spans(d, normalize)
        nd = Doc(clean, id=d.id)
        for start, end, tech in spans:
            nd.add_span(start, end, tech)
        docs.append(nd)
    cfg_path = folder / "config.json"
    labels = tuple(json.loads(cfg_path.read_text())["technique_classifier"]["labels"])
    fit_lexical(docs, labels, c).to_disk(folder)
    weight = 0.3
    if hold:
        ev = Evaluation(load(folder, threads=2), hold)
        weight = choose_weight(ev.gold_logits("head"), ev.gold_logits("lexical"), hold, labels)
    cfg = json.loads(cfg_path.read_text())
    cfg["technique_classifier"]["lexical_weight"] = weight
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    return weight
