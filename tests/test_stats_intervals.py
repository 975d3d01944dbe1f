"""Confidence intervals of `proplens.stats`, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from proplens.stats.intervals import mean_interval, ratio_from_sums, ratio_interval, wilson, z_value


@pytest.mark.parametrize(
    "k,n,low,high",
    [
        (1, 2, 0.0945, 0.9055),  # p = .5: centre .5, half 1.96 * sqrt(.125 + 3.8415/16) / 2.9207
        (0, 10, 0.0, 0.2775),  # z^2/n / (1 + z^2/n) = 0.38415 / 1.38415
        (10, 10, 0.7225, 1.0),
        (30, 100, 0.2189, 0.3958),
    ],
)
def test_stats_intervals_wilson_hand_computed(k, n, low, high):
    assert [round(v, 4) for v in wilson(k, n)] == [low, high]


def test_stats_intervals_ratio_hand_computed():
    # 2 articles of 100 words with 1 and 3 spans: R = 4/200; residuals -1, +1;
    # var = 2/1 * 2 / 200^2 = 1e-4; se = 0.01; 95%: 0.02 +- 0.0196.
    r, low, high = ratio_interval(np.array([1, 3]), np.array([100, 100]))
    assert r == 0.02
    assert low == pytest.approx(0.02 - 1.959964 * 0.01) and high == pytest.approx(0.0396, abs=1e-6)
    assert ratio_interval(np.array([2]), np.array([10])) == (0.2, None, None)


def test_stats_intervals_grouped_sums_match_the_direct_formula():
    rng = np.random.default_rng(0)
    x, y = rng.integers(100, 2000, 50).astype(float), rng.poisson(8, 50).astype(float)
    one = lambda v: np.array([v])  # noqa: E731
    r, low, high = ratio_from_sums(
        one(50), one(x.sum()), one(y.sum()), one((x * x).sum()), one((x * y).sum()),
        one((y * y).sum()), z_value(0.95),
    )  # fmt: skip
    assert (r[0], low[0], high[0]) == pytest.approx(ratio_interval(y, x))


def test_stats_intervals_mean_and_levels():
    m, low, high = mean_interval(np.array([1.0, 3.0]))  # sd = sqrt(2), se = 1
    assert (m, low, high) == pytest.approx((2.0, 2 - 1.959964, 2 + 1.959964))
    assert z_value(0.9) == pytest.approx(1.644854)
    with pytest.raises(ValueError, match="between 0 and 1"):
        z_value(95)
