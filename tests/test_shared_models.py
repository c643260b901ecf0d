"""Optional: the real opus-mt-nl-en tokenizer and config from ../shared/models (skips cleanly).

Weights are random (none can be downloaded), so this checks formats and limits, not quality:
the real tokenizer loads through the production backend, and every piece the translator
sends to the model respects Marian's 512-token limit on the real seed articles.
"""

from __future__ import annotations

import pytest

from tests.conftest import SHARED

MARIAN_DIR = SHARED / "models" / "Helsinki-NLP__opus-mt-nl-en"
BART_DIR = SHARED / "models" / "sshleifer__distilbart-cnn-12-6"
SEEDS = SHARED / "seeds"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not (MARIAN_DIR / "config.json").is_file() or not SEEDS.is_dir(),
                       reason="../shared/models or ../shared/seeds is absent"),
]


@pytest.fixture(scope="module")
def real_marian(tmp_path_factory):
    """The real tokenizer and architecture, saved with random weights, loaded our way."""
    import shutil

    import torch
    from transformers import MarianConfig, MarianMTModel

    from pipeline.backends.base import load_backend
    from pipeline.core.config import GenerationOverrides, ModelSpec, RuntimeConfig
    from pipeline.hub.registry import resolve_model

    target = tmp_path_factory.mktemp("opus-mt-nl-en")
    config = MarianConfig.from_pretrained(MARIAN_DIR)
    config.encoder_layers = config.decoder_layers = 1  # the limits, not the depth, matter here
    torch.manual_seed(0)
    MarianMTModel(config).save_pretrained(target)
    # the real tokenizer files and generation_config.json (save_pretrained wrote a default one)
    for item in MARIAN_DIR.iterdir():
        if item.name != "config.json":
            shutil.copy(item, target / item.name)
    resolved = resolve_model("translator", ModelSpec(id=str(target)), model_cache=target,
                             offline=True)
    return load_backend(resolved, RuntimeConfig(device="cpu"), GenerationOverrides())


def test_real_tokenizer_limits(real_marian):
    assert real_marian.model_max_tokens == 512
    assert real_marian.generation_settings["num_beams"] == 6


@pytest.mark.parametrize("max_input_tokens", [512, 64])
def test_seed_sentences_are_cut_under_the_limit(real_marian, max_input_tokens):
    from pipeline.core.config import IngestConfig, TranslationConfig
    from pipeline.ingest.prepare import ArticlePreparer
    from pipeline.ingest.readers import read_inputs
    from pipeline.translate.translator import Translator

    translator = Translator(real_marian, TranslationConfig(max_input_tokens=max_input_tokens),
                            identity="real")
    preparer = ArticlePreparer(IngestConfig())
    sentences = [s for a in read_inputs([str(SEEDS)], max_bytes=10**6)
                 for _, s in preparer.prepare(a).sentences]
    assert len(sentences) > 50
    # one artificial run-on sentence far over 512 tokens
    sentences.append(", ".join(s.rstrip(".") for s in sentences[:60]) + ".")
    assert real_marian.count_tokens([sentences[-1]])[0] > 512
    for sentence in sentences:
        pieces = translator.split_sentence(sentence)
        assert max(real_marian.count_tokens(pieces)) <= max_input_tokens
        assert " ".join(pieces).split() == sentence.split()


@pytest.mark.skipif(not (BART_DIR / "tokenizer.json").is_file(), reason="no distilbart tokenizer")
def test_real_bart_tokenizer_chunking_limit():
    from transformers import AutoConfig, AutoTokenizer

    from pipeline.backends.base import model_token_limit

    tokenizer = AutoTokenizer.from_pretrained(BART_DIR)
    assert model_token_limit(tokenizer, AutoConfig.from_pretrained(BART_DIR)) == 1024
