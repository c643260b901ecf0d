"""Translation through the production path with a tiny Marian model built by the suite."""

from __future__ import annotations

import pytest

from pipeline.backends.base import load_backend
from pipeline.core.config import GenerationOverrides, RuntimeConfig, TranslationConfig
from pipeline.core.errors import GenerationError
from pipeline.hub.registry import resolve_model
from pipeline.translate.translator import MemoryTranslationCache, Translator
from tests.conftest import tiny_config

SENTENCES = [
    "De dijk bij Kruiningen is in de nacht van 14 op 15 maart bezweken.",
    "Rijkswaterstaat evacueerde 1.200 bewoners.",
    "Een man van 72 jaar is naar het ziekenhuis gebracht.",
    "Het water stond op 4,12 meter boven NAP.",
    "De minister bezoekt vrijdag het getroffen gebied.",
    "Kort.",
]


@pytest.fixture(scope="module")
def backend(tiny_model_dirs):
    config = tiny_config(tiny_model_dirs)
    resolved = resolve_model("translator", config.translation.model,
                             model_cache=config.runtime.model_cache, offline=True)
    return load_backend(resolved, RuntimeConfig(device="cpu"), GenerationOverrides())


def _translator(backend, cache=None, **settings):
    return Translator(backend, TranslationConfig(**settings), identity="tiny", cache=cache)


def test_one_output_per_sentence_in_input_order(backend):
    # No length cap: it depends on the longest sentence in a batch, by design.
    translator = _translator(backend, batch_tokens=64, max_batch_size=3, max_length_ratio=None)
    batched = translator.translate(SENTENCES)
    one_by_one = [_translator(backend, max_length_ratio=None).translate([s])[0] for s in SENTENCES]
    assert len(batched) == len(SENTENCES)
    assert batched == one_by_one
    assert len(set(batched)) > 1  # the tiny model's output does depend on its input
    assert translator.stats["generate_calls"] > 1


def test_over_long_sentence_is_split_under_the_limit_and_rejoined(backend):
    long_sentence = ", ".join(SENTENCES[:5] * 6)
    translator = _translator(backend, max_input_tokens=40)
    pieces = translator.split_sentence(long_sentence)
    assert len(pieces) > 1
    assert max(backend.count_tokens(pieces)) <= 40
    assert " ".join(pieces).split() == long_sentence.split()
    (english,) = translator.translate([long_sentence])
    expected = " ".join(_translator(backend, max_input_tokens=40).translate(pieces))
    assert english == expected


def test_backend_refuses_input_over_the_model_limit(backend):
    too_long = " ".join(SENTENCES * 40)
    assert backend.count_tokens([too_long])[0] > backend.model_max_tokens
    with pytest.raises(GenerationError, match="exceeds the model limit"):
        backend.generate([too_long])


def test_duplicates_and_cache_hits_are_translated_once(backend):
    cache = MemoryTranslationCache()
    translator = _translator(backend, cache=cache)
    first = translator.translate(SENTENCES + SENTENCES[:2])
    assert first[-2:] == first[:2]
    assert translator.stats["cache_hits"] == 2
    assert len(cache) == len(SENTENCES)
    again = _translator(backend, cache=cache)
    assert again.translate(SENTENCES) == first[: len(SENTENCES)]
    assert again.stats["generate_calls"] == 0


def test_cache_keys_change_with_the_model_identity(backend):
    a = Translator(backend, TranslationConfig(), identity="model-a")
    b = Translator(backend, TranslationConfig(), identity="model-b")
    assert a.cache_key("Hallo.") != b.cache_key("Hallo.")


def test_empty_input(backend):
    assert _translator(backend).translate([]) == []
