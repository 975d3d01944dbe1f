"""The linear-chain CRF: marginals (numpy, inference) and loss (torch, training)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from proplens.stages.crf import crf_marginals
from proplens.stages.span_detector import SpanDetector, softmax


def _scores(rng, n: int):
    return (
        rng.normal(size=(n, 3)) * 2,
        rng.normal(size=(3, 3)),
        rng.normal(size=3),
        rng.normal(size=3),
    )


def _score(logits, trans, start, end, seq) -> float:
    """Score of one whole tag sequence: emissions, transitions, first and last tag."""
    s = start[seq[0]] + end[seq[-1]] + sum(logits[t, y] for t, y in enumerate(seq))
    return s + sum(trans[a, b] for a, b in itertools.pairwise(seq))


def _brute_force_marginals(*scores):
    marg = np.zeros_like(scores[0])
    n = len(marg)
    for seq in itertools.product(range(3), repeat=n):
        marg[np.arange(n), seq] += np.exp(_score(*scores, seq))
    return marg / marg.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_crf_marginals_match_summing_over_every_tag_sequence(n):
    scores = _scores(np.random.default_rng(n), n)
    np.testing.assert_allclose(crf_marginals(*scores), _brute_force_marginals(*scores), atol=1e-12)


def test_crf_marginals_stay_finite_on_long_articles_with_extreme_scores():
    logits, trans, start, end = _scores(np.random.default_rng(0), 20_000)
    m = crf_marginals(logits * 40, trans * 10, start, end)
    assert np.isfinite(m).all()
    np.testing.assert_allclose(m.sum(axis=1), 1.0)


def test_crf_with_zero_transitions_is_each_tokens_softmax():
    logits = np.random.default_rng(1).normal(size=(50, 3))
    zero = np.zeros(3)
    np.testing.assert_allclose(crf_marginals(logits, np.zeros((3, 3)), zero, zero), softmax(logits))


def test_span_detector_with_crf_forbidding_o_then_i_drops_an_orphan_inside_tag():
    # Tokens: O O I O. Alone, the third token looks inside; the CRF forbids O→I, so the
    # orphan I must be explained as O or B, and a B that weak leaves no span.
    text = "calm words liars more"
    offsets = [(0, 4), (5, 10), (11, 16), (17, 21)]
    logits = np.log(
        np.array([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05], [0.3, 0.05, 0.65], [0.9, 0.05, 0.05]])
    )
    from proplens.encoder import Encoded

    enc = Encoded(np.arange(4), np.array(offsets), np.zeros((4, 4)), logits)
    crf = {
        "transitions": [[0, 0, -30], [0, 0, 0], [0, 0, 0]],
        "start": [0, 0, -30],
        "end": [0, 0, 0],
    }
    assert [c.start for c in SpanDetector(0.5).predict([text], [enc])[0]] == [11]
    assert SpanDetector(0.5, crf=crf).predict([text], [enc])[0] == []
    assert SpanDetector.from_config(SpanDetector(0.5, crf=crf).to_config()).crf == crf


@pytest.mark.parametrize(
    "crf",
    [
        {"transitions": [[0, 0], [0, 0]], "start": [0, 0, 0], "end": [0, 0, 0]},
        {"transitions": [[0, 0, 0]] * 3, "start": [0, "NaN", 0], "end": [0, 0, 0]},
        {"start": [0]},
    ],
)
def test_span_detector_refuses_a_malformed_crf_setting_in_a_sentence(crf):
    with pytest.raises(ValueError, match="3 × 3 `transitions`.*proplens train --crf"):
        SpanDetector(crf=crf)


def test_crf_loss_is_the_exact_negative_log_likelihood_per_token():
    torch = pytest.importorskip("torch")
    from proplens.training.crf import CRF

    logits, trans, start, end = _scores(np.random.default_rng(2), 5)
    crf = CRF(3)
    with torch.no_grad():
        crf.transitions.copy_(torch.from_numpy(trans))
        crf.start.copy_(torch.from_numpy(start))
        crf.end.copy_(torch.from_numpy(end))
    tags = [-100, 1, 2, 0, -100]  # special tokens at both ends are not scored
    inner = (logits[1:4], trans, start, end)
    every = [_score(*inner, q) for q in itertools.product(range(3), repeat=3)]
    expected = (np.log(np.exp(every).sum()) - _score(*inner, tags[1:4])) / 3
    nll = crf.nll(torch.from_numpy(logits)[None].float(), torch.tensor([tags]))
    assert float(nll) == pytest.approx(expected, rel=1e-5)
