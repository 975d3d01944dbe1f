"""Confidence intervals for corpus rates: Wilson for shares, a linearised ratio interval for rates.

Both are closed-form, so every figure of `proplens stats` gets its interval in the same query time.

- `wilson(k, n)`: the Wilson score interval for a share of articles (k of n use a technique).
- `ratio_interval(y, x)`: spans per word as a ratio of sums, `R = sum(y) / sum(x)`, with the
  linearised (delta-method, "cluster-robust") standard error that treats each article as one
  draw: `var(R) = n / (n - 1) * sum((y_i - R x_i)^2) / sum(x)^2`. Unlike a Poisson interval on the
  span count, it widens when a few articles carry most of the spans.
- `mean_interval(y)`: spans per article, normal interval around the mean.

Example:
    >>> [round(v, 4) for v in wilson(1, 2)]
    [0.0945, 0.9055]
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def z_value(confidence: float = 0.95) -> float:
    """The two-sided normal quantile for `confidence` (1.96 for 0.95)."""
    if not 0 < confidence < 1:
        raise ValueError(f"`confidence` must be between 0 and 1 (e.g. 0.95), not {confidence}.")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for the share `k / n` (clamped to [0, 1]; (0, 1) when n is 0)."""
    if n <= 0:
        return 0.0, 1.0
    p, z2 = k / n, z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def ratio_interval(
    y: np.ndarray, x: np.ndarray, z: float = 1.959963984540054
) -> tuple[float, float | None, float | None]:
    """`sum(y) / sum(x)` and its interval, articles as the sampling unit.

    Returns:
        `(ratio, low, high)`; low and high are None with fewer than 2 articles or no words.
    """
    n, sx = len(y), float(np.sum(x))
    if sx <= 0:
        return 0.0, None, None
    r = float(np.sum(y)) / sx
    if n < 2:
        return r, None, None
    resid = np.asarray(y, dtype=float) - r * np.asarray(x, dtype=float)
    se = math.sqrt(n / (n - 1) * float(np.sum(resid * resid))) / sx
    return r, max(0.0, r - z * se), r + z * se


def ratio_from_sums(
    n: np.ndarray,
    sx: np.ndarray,
    sy: np.ndarray,
    sxx: np.ndarray,
    sxy: np.ndarray,
    syy: np.ndarray,
    z: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`ratio_interval` for many groups at once, from per-group sums (NaN where undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(sx > 0, sy / np.where(sx > 0, sx, 1), 0.0)
        ss = np.maximum(syy - 2 * r * sxy + r * r * sxx, 0.0)  # sum((y - r x)^2)
        se = np.sqrt(n / np.maximum(n - 1, 1) * ss) / np.where(sx > 0, sx, 1)
        ok = (n >= 2) & (sx > 0)
        low = np.where(ok, np.maximum(0.0, r - z * se), np.nan)
        high = np.where(ok, r + z * se, np.nan)
    return r, low, high


def mean_interval(
    y: np.ndarray, z: float = 1.959963984540054
) -> tuple[float, float | None, float | None]:
    """The mean of `y` and a normal interval (None with fewer than 2 values); low >= 0."""
    n = len(y)
    if n == 0:
        return 0.0, None, None
    m = float(np.mean(y))
    if n < 2:
        return m, None, None
    half = z * float(np.std(y, ddof=1)) / math.sqrt(n)
    return m, max(0.0, m - half), m + half
