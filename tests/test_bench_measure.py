"""The benchmark's per-step peak RSS is the step's own, not its parent's.

``python -m bench`` builds 1.5 GB of models and then forks each side; ``ru_maxrss`` (from
``wait4`` or ``getrusage``) survives ``exec`` on Linux, so it reported the parent's size for
every side. ``bench.measure`` reads ``VmHWM`` instead.
"""

from __future__ import annotations

import sys

import pytest

from bench.measure import run_step

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="VmHWM is read from /proc")


def test_a_step_reports_its_own_peak_not_its_parents(tmp_path):
    parent = bytearray(600 * 2**20)  # the parent is far larger than the step at fork time

    result = run_step("tests.helpers.rss_probe", {"mb": 120}, tmp_path, "probe")

    assert len(parent) and result["held"] == 120 * 2**20
    assert 120 <= result["peak_rss_mb"] < 400, result


def test_histogram_counts_lengths_from_a_counter_or_from_the_lengths():
    from collections import Counter

    from bench.measure import histogram

    assert histogram([3, 1, 3]) == {"1": 1, "3": 2}
    assert histogram(Counter({5: 2, 1: 1})) == {"1": 1, "5": 2}
    assert list(histogram([9, 10, 2])) == ["2", "9", "10"]  # by length, not as strings
