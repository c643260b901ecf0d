"""ROUGE: hand-computed cases, parity with rouge-score on ASCII, and the Unicode tokenizer fix."""

from __future__ import annotations

import random
import string

import pytest
from rouge_score import rouge_scorer, tokenizers

from pipeline.evaluation.metrics.rouge import ROUGE_TYPES, RougeMetric, UnicodeTokenizer
from pipeline.text.sentences import split_sentences


@pytest.fixture(scope="module")
def metric() -> RougeMetric:
    return RougeMetric(use_stemmer=True)


def test_rouge1_hand_computed(metric):
    scores = metric.score(prediction="testing", reference="testing one two")
    assert scores["rouge1"].precision == 1.0
    assert scores["rouge1"].recall == pytest.approx(1 / 3)
    assert scores["rouge1"].f1 == pytest.approx(1 / 2)


def test_rouge2_hand_computed(metric):
    # bigrams: prediction {the cat, cat ran}, reference {the cat, cat sat}: one shared
    scores = metric.score(prediction="the cat ran", reference="the cat sat")
    assert (scores["rouge2"].precision, scores["rouge2"].recall) == (0.5, 0.5)


def test_rougeL_hand_computed(metric):
    # LCS of "a b c d" and "a c b d" has length 3
    scores = metric.score(prediction="a c b d", reference="a b c d")
    assert scores["rougeL"].precision == pytest.approx(3 / 4)
    assert scores["rougeL"].recall == pytest.approx(3 / 4)


def test_rougeLsum_union_lcs_example_from_the_rouge_paper(metric):
    # Lin (2004), section 3.2: r = w1..w5, c1 = w1 w2 w6 w7 w8, c2 = w1 w3 w8 w9 w5;
    # union LCS = w1 w2 w3 w5 -> recall 4/5, precision 4/10.
    scores = metric.score(prediction="w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5", reference="w1 w2 w3 w4 w5")
    assert scores["rougeLsum"].recall == pytest.approx(4 / 5)
    assert scores["rougeLsum"].precision == pytest.approx(4 / 10)


def test_stemming_is_on(metric):
    assert metric.score(prediction="killings", reference="killing")["rouge1"].f1 == 1.0


def _random_sentence(rng: random.Random) -> str:
    words = ["Testing", "runs", "running", "ran", "the", "a", "U.S.", "snake_case", "2,500", "12%",
             "it's", "quickly", "don't", "co-operate", "e-mail", "x", "##", "(parens)", "3.5",
             "organizations", "organization's", "well-known", "A1b2", "__init__", "--", "Mr."]
    parts = [rng.choice(words) if rng.random() < 0.7 else
             "".join(rng.choice(string.ascii_letters + string.digits + string.punctuation)
                     for _ in range(rng.randint(1, 9)))
             for _ in range(rng.randint(0, 14))]
    return " ".join(parts) + rng.choice([".", "!", "?", ""])


def test_tokenizer_equals_rouge_score_on_ascii():
    rng = random.Random(7)
    ours, theirs = UnicodeTokenizer(use_stemmer=True), tokenizers.DefaultTokenizer(use_stemmer=True)
    for _ in range(500):
        text = " ".join(_random_sentence(rng) for _ in range(rng.randint(1, 4)))
        assert ours.tokenize(text) == theirs.tokenize(text), text


def test_scores_equal_rouge_score_on_ascii(metric):
    rng = random.Random(11)
    reference_scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    for _ in range(150):
        prediction = " ".join(_random_sentence(rng) for _ in range(rng.randint(1, 4)))
        reference = " ".join(_random_sentence(rng) for _ in range(rng.randint(1, 4)))
        ours = metric.score(prediction, reference)
        # same sentence split, so that the comparison isolates the tokenizer
        theirs = reference_scorer.score("\n".join(split_sentences(reference)),
                                        "\n".join(split_sentences(prediction)))
        for rouge_type in ROUGE_TYPES:
            expected = theirs[rouge_type]
            got = ours[rouge_type]
            assert (got.precision, got.recall, got.f1) == (
                expected.precision, expected.recall, expected.fmeasure), (prediction, reference)


def test_diacritics_keep_their_letters():
    tokens = UnicodeTokenizer(use_stemmer=True).tokenize("Aïn al-Asad in België")
    assert tokens == ["aïn", "al", "asad", "in", "belgië"]
    assert tokenizers.DefaultTokenizer(True).tokenize("Aïn al-Asad") == ["a", "n", "al", "asad"]


def test_different_accented_words_no_longer_match(metric):
    # rouge-score's tokenizer reads both as "a n": a false perfect match
    default = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    assert default.score("Aïn", "Aön")["rouge1"].fmeasure == 1.0
    assert metric.score(prediction="Aön", reference="Aïn")["rouge1"].f1 == 0.0
    assert metric.score(prediction="Aïn", reference="Aïn")["rouge1"].f1 == 1.0


def test_underscore_and_nfc():
    tokenizer = UnicodeTokenizer(use_stemmer=False)
    assert tokenizer.tokenize("snake_case") == ["snake", "case"]
    decomposed = "Bel" + "gi" + "e\u0308"  # e + combining diaeresis
    assert tokenizer.tokenize(decomposed) == ["belgië"]


def test_empty_prediction_scores_zero(metric):
    scores = metric.score(prediction="", reference="Something happened in Brussels.")
    assert all(s.f1 == 0.0 and s.precision == 0.0 for s in scores.values())
    assert isinstance(scores["rougeLsum"].f1, float)
