"""Summarization and map-reduce over inputs longer than the model accepts."""

from __future__ import annotations

import pytest

from pipeline.backends.base import load_backend
from pipeline.core.config import GenerationOverrides, RuntimeConfig, SummarizationConfig
from pipeline.core.errors import SummaryTooLongError
from pipeline.hub.registry import resolve_model
from pipeline.summarize.summarizer import Summarizer
from tests.conftest import SAMPLES, tiny_config


@pytest.fixture(scope="module")
def backend(tiny_model_dirs):
    config = tiny_config(tiny_model_dirs)
    resolved = resolve_model("summarizer", config.summarization.model,
                             model_cache=config.runtime.model_cache, offline=True)
    return load_backend(resolved, RuntimeConfig(device="cpu"), GenerationOverrides())


@pytest.fixture(scope="module")
def english_sentences():
    from pipeline.ingest.segment import split_sentences

    folder = SAMPLES.parent / "eval" / "translations"
    text = next(iter(sorted(folder.glob("*.txt")))).read_text(encoding="utf-8")
    return [s for para in text.split("\n\n") for s in split_sentences(para, "en")]


def test_chunks_cover_every_sentence_in_order_under_the_limit(backend, english_sentences):
    summarizer = Summarizer(backend, SummarizationConfig(max_input_tokens=64))
    chunks = summarizer.plan_chunks(english_sentences)
    assert len(chunks) > 1
    assert max(backend.count_tokens(chunks)) <= 64
    assert " ".join(chunks).split() == " ".join(english_sentences).split()


def test_long_input_is_map_reduced(backend, english_sentences):
    summarizer = Summarizer(backend, SummarizationConfig(max_input_tokens=160, max_reduce_rounds=3))
    summary = summarizer.summarize(english_sentences)
    assert summary.chunks > 1
    assert summary.rounds >= 2
    assert summary.input_tokens > 160
    assert 1 <= len(summary.sentences) <= 5
    assert all(sentence.strip() for sentence in summary.sentences)


def test_short_input_is_summarized_in_one_call(backend, english_sentences):
    summarizer = Summarizer(backend, SummarizationConfig())
    summary = summarizer.summarize(english_sentences[:3])
    assert (summary.chunks, summary.rounds) == (1, 1)
    assert summary.sentences and summary.text.strip()


def test_an_input_that_will_not_shrink_is_an_error_not_a_truncation(backend, english_sentences):
    summarizer = Summarizer(backend, SummarizationConfig(max_input_tokens=24, max_reduce_rounds=1))
    with pytest.raises(SummaryTooLongError, match="after 1 map-reduce rounds"):
        summarizer.summarize(english_sentences[:12])


def test_batched_summaries_match_one_at_a_time(backend, english_sentences):
    summarizer = Summarizer(backend, SummarizationConfig(batch_size=3))
    docs = [english_sentences[:2], english_sentences[2:6], english_sentences[6:9]]
    together = [s.sentences for s in summarizer.summarize_many(docs)]
    alone = [summarizer.summarize(d).sentences for d in docs]
    assert together == alone
    assert len({tuple(sentences) for sentences in together}) > 1  # outputs follow the input


def test_max_sentences_keeps_the_first_sentences_of_the_summary(backend, english_sentences):
    def summary(max_sentences):
        config = SummarizationConfig(min_sentences=1, max_sentences=max_sentences)
        return Summarizer(backend, config).summarize(english_sentences[:4]).sentences

    full = summary(5)
    assert len(full) >= 2  # otherwise a cap of one would have nothing to cut
    assert summary(1) == full[:1]
    assert full[0].strip()
