"""Percentile bootstrap confidence intervals over articles, with a recorded seed.

rouge-score's ``BootstrapAggregator`` draws from NumPy's global, unseeded RNG, so
its intervals change between runs. Here every interval comes from
``numpy.random.default_rng(seed)``: the resampled article indices depend only on
the seed, the number of samples and the number of articles, so the same articles
are drawn for every metric and every system of equal size (paired resampling),
and reruns are identical.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95
METHOD = "percentile bootstrap over articles, numpy.random.default_rng(seed), paired indices"


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% interval.

    Attributes:
        value: the statistic on all articles (None when undefined, e.g. no articles).
        low, high: the interval bounds (equal to ``value`` with one article, None when undefined).
        n: the number of articles it is computed over.
    """

    value: float | None
    low: float | None
    high: float | None
    n: int


def resample_indices(n: int, seed: int, samples: int) -> np.ndarray:
    """Bootstrap article indices: ``samples`` rows of ``n`` draws with replacement.

    Args:
        n: number of articles (> 0).
        seed: the recorded seed.
        samples: number of bootstrap samples (> 0).

    Returns:
        An integer array of shape ``(samples, n)``.
    """
    return np.random.default_rng(seed).integers(0, n, size=(samples, n))


def mean_ci(values: Sequence[float | None], seed: int, samples: int) -> Estimate:
    """Mean over articles and its bootstrap interval; None values (undefined) are left out.

    Args:
        values: one value per article.
        seed: RNG seed.
        samples: bootstrap samples; 0 gives no interval.

    Returns:
        The estimate.
    """
    data = np.array([v for v in values if v is not None], dtype=float)
    return statistic_ci([data], lambda cols: cols[0].mean(axis=-1), seed, samples)


def ratio_ci(numerators: Sequence[float], denominators: Sequence[float], seed: int,
             samples: int) -> Estimate:
    """A corpus-level ratio (micro average) ``sum(num) / sum(den)`` and its bootstrap interval.

    Args:
        numerators, denominators: per-article counts (same length).
        seed: RNG seed.
        samples: bootstrap samples; 0 gives no interval.

    Returns:
        The estimate; value None when the denominator sums to 0.
    """
    num = np.asarray(numerators, dtype=float)
    den = np.asarray(denominators, dtype=float)

    def ratio(cols: list[np.ndarray]) -> np.ndarray:
        n, d = cols[0].sum(axis=-1), cols[1].sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(d > 0, n / np.where(d > 0, d, 1), np.nan)

    return statistic_ci([num, den], ratio, seed, samples)


def statistic_ci(columns: Sequence[Sequence[float] | np.ndarray],
                 statistic: Callable[[list[np.ndarray]], np.ndarray],
                 seed: int, samples: int) -> Estimate:
    """Any statistic of per-article columns, with its bootstrap interval.

    Args:
        columns: equally long per-article columns.
        statistic: maps the columns (last axis = articles) to one value per row;
            NaN marks an undefined value.
        seed: RNG seed.
        samples: bootstrap samples; 0 gives no interval.

    Returns:
        The estimate (value None when undefined).
    """
    columns = [np.asarray(c, dtype=float) for c in columns]
    n = len(columns[0])
    if n == 0:
        return Estimate(None, None, None, 0)
    value = float(statistic(columns))
    if np.isnan(value):
        return Estimate(None, None, None, n)
    if samples <= 0:
        return Estimate(value, None, None, n)
    idx = resample_indices(n, seed, samples)
    stats = statistic([c[idx] for c in columns])
    stats = stats[~np.isnan(stats)]
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(stats, [tail, 100 - tail])
    return Estimate(value, float(low), float(high), n)
