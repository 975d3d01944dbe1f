"""Marginals of a linear-chain CRF over BIO tags (numpy; the training loss is in torch)."""

from __future__ import annotations

import numpy as np


def _prefix_products(mats: np.ndarray) -> np.ndarray:
    """`mats[0] @ ... @ mats[t]` for every t (a Hillis-Steele scan), each scaled to max 1."""
    out = mats.copy()
    d = 1
    while d < len(out):
        q = out[:-d] @ out[d:]
        out[d:] = q / q.max(axis=(1, 2), keepdims=True)
        d *= 2
    return out


def crf_marginals(
    logits: np.ndarray, transitions: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """P(tag of token t | the whole sequence) under a linear-chain CRF (forward-backward).

    Args:
        logits: `(n, k)` emission scores of each token's tags.
        transitions: `(k, k)` score of tag i followed by tag j.
        start: `(k,)` score of the first token's tag.
        end: `(k,)` score of the last token's tag.
    Returns:
        `(n, k)` marginal probabilities; each row sums to 1.
    """
    n, k = logits.shape
    if n == 0:
        return np.zeros((0, k))
    # In probability space, with the forward and backward products computed as prefix
    # products of k×k matrices (log n vectorised steps instead of an n-step Python loop).
    emit = np.exp(logits - logits.max(axis=1, keepdims=True))
    trans = np.exp(transitions - transitions.max())
    first = np.exp(start - start.max()) * emit[0]
    last = np.exp(end - end.max())
    alpha = np.empty((n, k))
    beta = np.empty((n, k))
    alpha[0], beta[-1] = first, last
    if n > 1:
        steps = trans[None] * emit[1:, None, :]  # steps[t-1][i, j]: tag i at t-1, tag j at t
        alpha[1:] = np.einsum("i,tij->tj", first, _prefix_products(steps))
        back = np.ascontiguousarray(np.transpose(steps[::-1], (0, 2, 1)))
        beta[:-1] = np.einsum("tij,i->tj", _prefix_products(back), last)[::-1]
    m = alpha * beta
    return m / m.sum(axis=1, keepdims=True)
