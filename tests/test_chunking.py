"""Splitting, packing and batching under token limits: nothing dropped, nothing over."""

from __future__ import annotations

import random

import pytest

from pipeline.text.chunking import pack_consecutive, plan_batches, split_to_fit


def word_counter(texts):
    """One token per whitespace word plus one end-of-sequence token."""
    return [len(t.split()) + 1 for t in texts]


LONG = ("De minister zei dat het kabinet de plannen steunt; de oppositie is kritisch, want de "
        "kosten lopen op en de uitvoering is onzeker, maar een meerderheid lijkt zeker: "
        "de coalitie stemt voor") + " en" * 5


def test_short_text_is_one_piece():
    assert split_to_fit("Een korte zin.", word_counter, 10) == ["Een korte zin."]


@pytest.mark.parametrize("limit", [4, 6, 9, 15])
def test_long_sentence_is_split_without_losing_words(limit):
    pieces = split_to_fit(LONG, word_counter, limit)
    assert len(pieces) > 1
    assert all(word_counter([p])[0] <= limit for p in pieces)
    assert " ".join(pieces).split() == LONG.split()


def test_clause_boundaries_are_preferred():
    pieces = split_to_fit(LONG, word_counter, 15)
    assert pieces[0].endswith(";") or pieces[0].endswith(",")


def test_a_single_giant_word_is_cut_by_characters():
    def char_counter(texts):
        return [len(t) for t in texts]

    word = "x" * 25
    pieces = split_to_fit(word, char_counter, 10)
    assert pieces == ["x" * 10, "x" * 10, "x" * 5]


def test_pack_consecutive_keeps_order_and_budget():
    lengths = [3, 4, 2, 5, 1, 1, 6]
    chunks = pack_consecutive(lengths, 7)
    assert [i for c in chunks for i in c] == list(range(len(lengths)))
    assert all(sum(lengths[i] for i in c) <= 7 for c in chunks)
    assert chunks == [[0, 1], [2, 3], [4, 5], [6]]


def test_pack_consecutive_rejects_an_item_over_the_limit():
    with pytest.raises(ValueError):
        pack_consecutive([3, 9], 8)


def test_plan_batches_covers_everything_once_within_budget():
    rng = random.Random(7)
    lengths = [rng.randint(1, 60) for _ in range(200)]
    batches = plan_batches(lengths, batch_tokens=256, max_batch_size=16)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(200))
    for batch in batches:
        assert len(batch) <= 16
        assert len(batch) * max(lengths[i] for i in batch) <= 256
    # sorted by length: each batch is no longer than the previous one
    longest = [max(lengths[i] for i in b) for b in batches]
    assert longest == sorted(longest, reverse=True)


def test_an_item_over_the_batch_budget_gets_its_own_batch():
    assert plan_batches([500, 3, 3], batch_tokens=100, max_batch_size=8) == [[0], [1, 2]]
