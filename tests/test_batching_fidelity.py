"""Speed must not buy silent quality loss: batched and int8 decoding agree with fp32.

A tiny Marian is trained here to copy sentences until its greedy predictions are confident
(a random model's near-flat distributions would turn float noise into flipped tokens, which
says nothing about a trained model). The check and its thresholds live in
``pipeline.backends.fidelity``, which the benchmark reports against too.
"""

from __future__ import annotations

import pytest

from pipeline.backends.fidelity import (
    CT2_FP32_MIN_AGREEMENT,
    INT8_MIN_AGREEMENT,
    TORCH_BATCHED_MIN_AGREEMENT,
    agreement,
    check,
)
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow


def test_agreement_is_position_wise_over_the_longer_sequence():
    result = agreement([[1, 2, 3], [7]], [[1, 2, 4, 5], [7]])
    assert result["token_agreement"] == pytest.approx(3 / 5)  # (2 + 1) of (4 + 1)
    assert result["exact_match"] == 0.5


@pytest.fixture(scope="module")
def fidelity(tmp_path_factory):
    root = tmp_path_factory.mktemp("fidelity")
    return check(SAMPLES / "articles", root, steps=250, seed=0)


def test_the_model_is_confident(fidelity):
    assert fidelity["copy_accuracy"] >= 0.9
    assert fidelity["mean_greedy_probability"] >= 0.9
    assert fidelity["batches"] > 3  # several padded batches of mixed lengths


def test_batching_does_not_change_greedy_outputs(fidelity):
    result = fidelity["torch_fp32_batched_vs_unbatched"]
    assert result["token_agreement"] >= TORCH_BATCHED_MIN_AGREEMENT, result


def test_conversion_does_not_change_greedy_outputs(fidelity):
    result = fidelity["ct2_fp32_batched_vs_torch_fp32"]
    assert result["token_agreement"] >= CT2_FP32_MIN_AGREEMENT, result


def test_int8_stays_within_its_documented_threshold(fidelity):
    result = fidelity["ct2_int8_batched_vs_torch_fp32"]
    assert result["token_agreement"] >= INT8_MIN_AGREEMENT, result
    assert fidelity["passed"]
