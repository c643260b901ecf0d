"""The CTranslate2 path's tokenizers (pipeline/backends/light.py) encode and decode exactly as
transformers' do, on the tests' tiny tokenizers and on the real ones in ../shared/models, and
the path briefs an article without importing torch."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import textwrap

import pytest
from transformers import AutoTokenizer

from pipeline.backends.base import capped, load_generation_config, settings_of
from pipeline.backends.ct2.plan import plan_decoding
from pipeline.backends.light import (
    GENERATION_KEYS,
    ByteLevelBPETokenizer,
    MarianTokenizer,
    light_tokenizer,
    load_generation_settings,
    load_model_config,
    load_tokenizer,
)
from pipeline.core.config import GenerationOverrides
from tests.conftest import REPO, SAMPLES, SHARED, sample_corpus

REAL = {"marian": SHARED / "models" / "Helsinki-NLP__opus-mt-nl-en",
        "bart": SHARED / "models" / "sshleifer__distilbart-cnn-12-6"}
# Where tokenizers differ: special tokens inside text, language codes, whitespace runs,
# non-Latin scripts, control characters, clitics that transformers' clean-up rewrites.
HOSTILE = ["", " ", "  twee  spaties ", "</s>", "a</s>b", "<unk> <pad>", "<s>hoi</s>",
           ">>fr<< Bonjour", ">>nl<<", "a >>fr<< b", "<<>>", "<mask> x", "x <mask>", "\t\n",
           "é ü ß 中文 🙂", "Hallo\u00a0wereld", "ﬁ", "‘quoted’ “x” — – …", "\x00\x07",
           "Don't you're I'm it's we've", "a , b . c ! d ?", "  leading", "trailing  "]


def _texts() -> list[str]:
    texts = list(HOSTILE)
    for text in sample_corpus():
        texts += [line for line in text.splitlines() if line.strip()] + [text]
    if (SHARED / "seeds").is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    return texts


def assert_same_as_transformers(directory, kind) -> None:
    """Encoding, decoding (with and without special tokens) and the id <-> token maps."""
    reference = AutoTokenizer.from_pretrained(directory)
    light = light_tokenizer(directory)
    assert isinstance(light, kind)
    texts = _texts()
    expected = reference(texts, add_special_tokens=True, truncation=False)["input_ids"]
    assert light(texts, add_special_tokens=True, truncation=False)["input_ids"] == expected
    size = len(reference)
    rng = random.Random(0)
    sequences = expected[:100] + [[rng.randrange(size) for _ in range(rng.randrange(1, 40))]
                                  for _ in range(300)]
    for skip in (True, False):
        assert light.batch_decode(sequences, skip_special_tokens=skip) == \
            reference.batch_decode(sequences, skip_special_tokens=skip)
    ids = list(range(size))
    tokens = reference.convert_ids_to_tokens(ids)
    assert light.convert_ids_to_tokens(ids) == tokens
    assert light.convert_tokens_to_ids([*tokens, "no-such-token"]) == \
        reference.convert_tokens_to_ids([*tokens, "no-such-token"])
    assert (light.eos_token, light.model_max_length) == \
        (reference.eos_token, reference.model_max_length)


def test_tiny_marian_tokenizer_is_transformers_byte_for_byte(tiny_model_dirs):
    assert_same_as_transformers(tiny_model_dirs[0], MarianTokenizer)


def test_tiny_bart_tokenizer_is_transformers_byte_for_byte(tiny_model_dirs):
    assert_same_as_transformers(tiny_model_dirs[1], ByteLevelBPETokenizer)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["marian", "bart"])
def test_real_tokenizers_are_transformers_byte_for_byte(name):
    if not (REAL[name] / "tokenizer_config.json").is_file():
        pytest.skip("../shared/models is absent")
    assert_same_as_transformers(REAL[name], MarianTokenizer if name == "marian"
                                else ByteLevelBPETokenizer)


def _edited(source, tmp_path, file: str, change) -> object:
    target = tmp_path / "edited"
    shutil.copytree(source, target)
    data = json.loads((target / file).read_text(encoding="utf-8"))
    change(data)
    (target / file).write_text(json.dumps(data), encoding="utf-8")
    return target


@pytest.mark.parametrize("role, file, change", [
    (0, "tokenizer_config.json", lambda c: c.update(sp_model_kwargs={"alpha": 0.1})),
    (0, "tokenizer_config.json", lambda c: c.update(additional_special_tokens=["<x>"])),
    (1, "tokenizer.json", lambda t: t.update(normalizer={"type": "Lowercase"})),
    (1, "tokenizer_config.json", lambda c: c.update(add_prefix_space=True)),
])
def test_settings_not_reproduced_fall_back_to_transformers(tiny_model_dirs, tmp_path, role,
                                                           file, change):
    directory = _edited(tiny_model_dirs[role], tmp_path, file, change)
    assert light_tokenizer(directory) is None
    assert type(load_tokenizer(directory)).__module__.startswith("transformers")


def test_model_config_is_read_without_transformers(tiny_model_dirs):
    config = load_model_config(tiny_model_dirs[0])
    assert config.max_position_embeddings == 512
    assert config.model_type == "marian"


def test_the_ctranslate2_path_briefs_an_article_without_importing_torch(tiny_model_dirs,
                                                                       tmp_path):
    """Converting needs torch (done here first); loading and running a converted model, the
    tokenizers, the generation settings, the language check and the claim check's NER need
    neither torch nor transformers."""
    from pipeline.backends.ct2 import convert_model
    from pipeline.core.config import ModelSpec
    from pipeline.hub.registry import ResolvedModel

    cache = tmp_path / "cache"
    for role, directory in zip(("translator", "summarizer"), tiny_model_dirs, strict=True):
        spec = ModelSpec(id=str(directory), backend="ctranslate2", quantization="int8")
        convert_model(ResolvedModel(role, spec, directory, "local-dir"), cache, "int8")
    article = sorted((SAMPLES / "articles").glob("*.txt"))[0]
    code = textwrap.dedent(f"""
        import sys
        from pipeline.briefing.engine import BriefingEngine
        from pipeline.core.config import load_config
        from pipeline.ingest.readers import read_inputs
        config = load_config(None, {{
            "translation.model.id": {str(tiny_model_dirs[0])!r},
            "translation.model.revision": None,
            "summarization.model.id": {str(tiny_model_dirs[1])!r},
            "summarization.model.revision": None,
            "runtime.model_cache": {str(cache)!r}, "runtime.offline": True}})
        engine = BriefingEngine(config, window=1)
        outcomes = list(engine.run(read_inputs([{str(article)!r}], max_bytes=10**7)))
        print(type(outcomes[0]).__name__, engine.checker.ner.kind,
              ",".join(m for m in ("torch", "transformers", "sacremoses") if m in sys.modules))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    briefing, _ner, imported = (result.stdout.split() + [""])[:3]
    assert briefing == "Briefing"
    assert imported == ""


def _generation_dirs(tiny_model_dirs):
    dirs = list(tiny_model_dirs)
    return dirs + [d for d in REAL.values() if (d / "generation_config.json").is_file()]


@pytest.mark.parametrize("overrides", [
    {}, {"num_beams": 4}, {"max_new_tokens": 28, "min_new_tokens": 28},
    {"length_penalty": 1.5, "no_repeat_ngram_size": 0, "num_beams": 1}])
def test_generation_settings_are_transformers_generation_config(tiny_model_dirs, overrides):
    """Provenance (settings_of), the CTranslate2 plan and the per-call cap are the same as
    with transformers' GenerationConfig, for every model's file and with overrides."""
    from transformers import AutoConfig, GenerationConfig

    assert all(v is None for k, v in GenerationConfig().to_dict().items()
               if k in GENERATION_KEYS and k != "transformers_version")
    for directory in _generation_dirs(tiny_model_dirs):
        reference = load_generation_config(directory, AutoConfig.from_pretrained(directory),
                                           GenerationOverrides(**overrides))
        light = load_generation_settings(directory, overrides)
        assert light is not None
        assert settings_of(light) == settings_of(reference)
        tokenizer = light_tokenizer(directory)
        vocabulary = set(tokenizer.convert_ids_to_tokens(list(range(64))))
        assert plan_decoding(light, tokenizer, vocabulary) == \
            plan_decoding(reference, tokenizer, vocabulary)
        assert settings_of(capped(light, 3)) == settings_of(capped(reference, 3))
        assert light.num_return_sequences is None and not light.do_sample


def test_generation_settings_not_read_here_fall_back(tiny_model_dirs, tmp_path):
    directory = _edited(tiny_model_dirs[0], tmp_path, "generation_config.json",
                        lambda g: g.update(temperature=0.7))
    assert load_generation_settings(directory, {}) is None
