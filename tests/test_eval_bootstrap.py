"""Bootstrap intervals: seeded, reproducible, paired, and honest about undefined values."""

from __future__ import annotations

import numpy as np

from pipeline.evaluation.metrics.bootstrap import mean_ci, ratio_ci, resample_indices


def test_same_seed_same_interval_and_different_seed_differs():
    values = [0.1, 0.5, 0.3, 0.9, 0.2, 0.4, 0.8, 0.05]
    a, b = mean_ci(values, 12345, 1000), mean_ci(values, 12345, 1000)
    assert a == b
    assert mean_ci(values, 1, 1000) != a
    assert a.value == np.mean(values)
    assert a.low < a.value < a.high


def test_global_rng_state_is_not_used():
    np.random.seed(0)
    first = mean_ci([0.1, 0.9, 0.4], 3, 200)
    np.random.seed(99)
    assert mean_ci([0.1, 0.9, 0.4], 3, 200) == first


def test_indices_depend_only_on_seed_samples_and_size():
    assert (resample_indices(5, 9, 10) == resample_indices(5, 9, 10)).all()
    assert resample_indices(5, 9, 10).shape == (10, 5)


def test_undefined_values_are_left_out_not_zero():
    estimate = mean_ci([None, 0.5, None, 1.0], 1, 100)
    assert estimate.value == 0.75 and estimate.n == 2
    assert mean_ci([None, None], 1, 100).value is None


def test_one_article_has_a_degenerate_interval():
    estimate = mean_ci([0.4], 1, 100)
    assert (estimate.value, estimate.low, estimate.high) == (0.4, 0.4, 0.4)


def test_micro_ratio_pools_counts():
    estimate = ratio_ci([1, 3], [2, 4], 5, 500)
    assert estimate.value == 4 / 6
    assert estimate.low <= estimate.value <= estimate.high
    assert ratio_ci([0, 0], [0, 0], 5, 10).value is None


def test_no_samples_no_interval():
    estimate = mean_ci([0.2, 0.4], 1, 0)
    assert abs(estimate.value - 0.3) < 1e-12
    assert estimate.low is None and estimate.high is None
