"""The ctranslate2 backend: conversion, decoding parity with transformers, the CLI command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from transformers import GenerationConfig
from typer.testing import CliRunner

from pipeline.backends.base import capped, load_backend
from pipeline.backends.ct2 import (
    CTranslate2Backend,
    convert_model,
    converted_dir,
    plan_decoding,
    worker_threads,
)
from pipeline.backends.ct2.runtime import sub_batch_size
from pipeline.briefing.engine import BriefingEngine
from pipeline.cli import app
from pipeline.core.config import GenerationOverrides, ModelSpec, RuntimeConfig
from pipeline.core.errors import GenerationError, ModelUnavailableError
from pipeline.hub.registry import ResolvedModel, resolve_model
from pipeline.ingest.readers import read_file
from tests.conftest import SAMPLES, tiny_config

TEXTS = [
    "De dijk bij Kruiningen is in de nacht van 14 op 15 maart bezweken.",
    "Rijkswaterstaat evacueerde 1.200 bewoners.",
    "Kort.",
]


def _local(path: Path, role: str = "translator") -> ResolvedModel:
    return ResolvedModel(role=role, spec=ModelSpec(id=str(path), backend="transformers"),
                         path=path, origin="local-dir")


def _backends(model_dir: Path, cache: Path, overrides: GenerationOverrides | None = None,
              quantization: str = "none"):
    overrides = overrides or GenerationOverrides()
    runtime = RuntimeConfig(device="cpu", model_cache=cache)
    hf = load_backend(_local(model_dir), runtime, overrides)
    spec = ModelSpec(id=str(model_dir), backend="ctranslate2", quantization=quantization)
    ct2 = load_backend(ResolvedModel("translator", spec, model_dir, "local-dir"), runtime,
                       overrides)
    # CTranslate2 renormalizes scores after blocking a token (n-gram, min length), which is
    # transformers with renormalize_logits=True: Marian's own setting, the documented
    # difference for BART's beam search. Greedy choices are unaffected.
    hf.generation_config.renormalize_logits = True
    return hf, ct2


class _Tokens:
    """The slice of a tokenizer plan_decoding uses."""

    names = {0: "<s>", 2: "</s>", 67027: "<pad>"}

    def convert_ids_to_tokens(self, ids):
        return self.names[ids] if isinstance(ids, int) else [self.names[i] for i in ids]


DISTILBART = dict(num_beams=4, max_length=142, min_length=56, length_penalty=2.0,
                  no_repeat_ngram_size=3, forced_bos_token_id=0, forced_eos_token_id=2,
                  early_stopping=True, eos_token_id=2)


# -- decoding plan: hand-computed ---------------------------------------------------------

def test_plan_maps_the_distilbart_generation_config():
    options = plan_decoding(GenerationConfig(**DISTILBART), _Tokens(), set()).options()
    # max_length 142 counts the start token: 141 new tokens, the last one a forced EOS.
    assert options["max_decoding_length"] == 140
    assert options["min_decoding_length"] == 55  # min_length 56 minus the start token
    assert (options["beam_size"], options["length_penalty"], options["no_repeat_ngram_size"]) \
        == (4, 2.0, 3)
    assert options["max_input_length"] == 0  # never truncate silently
    assert plan_decoding(GenerationConfig(**DISTILBART), _Tokens(), set()).prefix == ["<s>"]


def test_plan_pins_lengths_like_transformers():
    config = GenerationConfig(**DISTILBART, min_new_tokens=60, max_new_tokens=60)
    options = plan_decoding(config, _Tokens(), set()).options()
    assert (options["min_decoding_length"], options["max_decoding_length"]) == (59, 59)


def test_a_cap_below_min_length_drops_the_minimum():
    config = GenerationConfig(**DISTILBART)
    options = plan_decoding(capped(config, 40), _Tokens(), set()).options()
    assert (options["min_decoding_length"], options["max_decoding_length"]) == (0, 39)
    assert (config.max_new_tokens, config.min_length) == (None, 56)  # the model's own: kept


def test_a_cap_only_ever_lowers_the_limit_and_the_minimum_follows_it():
    config = GenerationConfig(max_length=142, min_new_tokens=30)
    assert capped(config, None) is config
    assert capped(config, 142) is config  # not below max_length: the model's own limit
    lowered = capped(config, 20)
    assert (lowered.max_new_tokens, lowered.min_new_tokens) == (20, 20)
    assert capped(config, 141).min_new_tokens == 30


def test_bad_words_are_suppressed_only_when_in_the_vocabulary():
    config = GenerationConfig(bad_words_ids=[[67027]], max_length=512)
    assert plan_decoding(config, _Tokens(), set()).suppress == []  # Marian: pad not converted
    assert plan_decoding(config, _Tokens(), {"<pad>"}).suppress == [["<pad>"]]


def test_sampling_is_refused_not_silently_decoded_greedily():
    with pytest.raises(ValueError, match="sampling"):
        plan_decoding(GenerationConfig(do_sample=True), _Tokens(), set())


# -- parallel decoding: hand-computed --------------------------------------------------------

@pytest.mark.parametrize(("threads", "device", "expected"), [
    (4, "cpu", (4, 1)),   # one single-threaded worker per thread
    (1, "cpu", (1, 1)),
    (4, "cuda", (1, 4)),  # one worker per GPU
])
def test_workers_and_threads(threads, device, expected):
    assert worker_threads(RuntimeConfig(threads=threads), device) == expected


@pytest.mark.parametrize(("beam", "size", "longest", "expected"), [
    (6, 120, 40, 12),   # Marian: 72 hypotheses per worker
    (6, 10, 40, 5),     # a small batch is shared between the two workers
    (4, 5, 866, 1),     # DistilBART: 4,096 hypothesis x source tokens per worker
    (4, 5, 500, 2),
    (1, 1, 5000, 1),    # never zero
])
def test_sub_batches(beam, size, longest, expected):
    assert sub_batch_size(size, longest, beam, workers=2) == expected


def test_a_missing_cuda_library_says_what_to_install():
    from pipeline.backends.ct2.runtime import cuda_library_hint

    hint = cuda_library_hint("Library libcublas.so.12 is not found or cannot be loaded")
    assert hint.startswith("Library libcublas.so.12 is not found")
    assert "nvidia-cublas-cu12" in hint and "runtime.device: cpu" in hint
    assert cuda_library_hint("out of memory") == "out of memory"


@pytest.mark.parametrize(("beam", "size", "longest", "expected"), [
    (6, 120, 40, 120),  # Marian: the whole window in one sub-batch on a GPU
    (4, 8, 1024, 8),    # DistilBART: eight full-length articles together
    (4, 64, 1024, 32),  # bounded by memory: 131,072 hypothesis x source tokens
])
def test_gpu_sub_batches_keep_the_gpu_busy(beam, size, longest, expected):
    assert sub_batch_size(size, longest, beam, workers=1, device="cuda") == expected


# -- conversion -----------------------------------------------------------------------------

def test_hub_conversions_are_named_by_snapshot_and_quantization(tmp_path):
    resolved = ResolvedModel("translator", ModelSpec(id="Helsinki-NLP/opus-mt-nl-en"),
                             Path("/cache/snapshots/0123456789abcdef0123"), "hub-cache")
    assert converted_dir(resolved, tmp_path, "int8") == \
        tmp_path / "ct2" / "Helsinki-NLP--opus-mt-nl-en-0123456789ab-int8"


def test_conversion_is_reused_and_follows_the_model(tiny_model_dirs, tmp_path, monkeypatch):
    marian = shutil.copytree(tiny_model_dirs[0], tmp_path / "marian")
    path = convert_model(_local(marian), tmp_path / "cache", "int8")
    assert path.name.startswith("marian-") and path.name.endswith("-int8")
    record = json.loads((path / "briefing-conversion.json").read_text())
    assert record["quantization"] == "int8" and record["versions"]["ctranslate2"]

    def fail(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr("pipeline.backends.ct2.convert._Converter.convert", fail)
    assert convert_model(_local(marian), tmp_path / "cache", "int8") == path
    generation = json.loads((marian / "generation_config.json").read_text())
    (marian / "generation_config.json").write_text(json.dumps(generation | {"num_beams": 3}))
    assert converted_dir(_local(marian), tmp_path / "cache", "int8") != path


def test_a_failed_conversion_leaves_nothing_behind(tiny_model_dirs, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("pipeline.backends.ct2.convert._Converter.convert", broken)
    with pytest.raises(ModelUnavailableError, match="disk full"):
        convert_model(_local(tiny_model_dirs[0]), tmp_path, "none")
    assert list((tmp_path / "ct2").iterdir()) == []


def test_marian_with_a_nonzero_start_embedding_is_refused(tiny_model_dirs, tmp_path):
    import torch
    from transformers import MarianMTModel

    marian = shutil.copytree(tiny_model_dirs[0], tmp_path / "marian")
    model = MarianMTModel.from_pretrained(marian)
    with torch.no_grad():
        model.model.shared.weight[model.config.decoder_start_token_id] = 1.0
    model.save_pretrained(marian)
    with pytest.raises(ModelUnavailableError, match="zero embedding"):
        convert_model(_local(marian), tmp_path / "cache", "none")


# -- decoding parity with transformers --------------------------------------------------------

def test_marian_greedy_matches_transformers(tiny_model_dirs, tmp_path):
    hf, ct2 = _backends(tiny_model_dirs[0], tmp_path)
    assert isinstance(ct2, CTranslate2Backend)
    assert ct2.count_tokens(TEXTS) == hf.count_tokens(TEXTS)
    assert ct2.model_max_tokens == hf.model_max_tokens
    outputs = hf.generate(TEXTS)
    assert len(set(outputs)) > 1  # the tiny model's output does depend on its input
    assert ct2.generate(TEXTS) == outputs
    capped_outputs = hf.generate(TEXTS, max_new_tokens=4)
    assert capped_outputs != outputs  # the cap takes effect
    assert ct2.generate(TEXTS, max_new_tokens=4) == capped_outputs
    # The counters are the base class's, counted alike: calls, inputs, tokens, lengths.
    assert ct2.stats == hf.stats and ct2.stats["calls"] == 2
    assert ct2.output_lengths == hf.output_lengths
    hf.reset_counters()
    assert hf.stats == dict.fromkeys(ct2.stats, 0) and not hf.output_lengths


def test_bart_beam_search_with_ngram_blocking_matches_transformers(tiny_model_dirs, tmp_path):
    hf, ct2 = _backends(tiny_model_dirs[1], tmp_path)
    assert ct2.generation_settings["ctranslate2"]["beam_size"] == 2
    outputs = hf.generate(TEXTS)
    assert len(set(outputs)) > 1
    assert ct2.generate(TEXTS) == outputs


@pytest.fixture(scope="module")
def distilbart_like(tiny_model_dirs, tmp_path_factory) -> Path:
    """The tiny BART with distilbart's generation settings: forced BOS/EOS, min_length."""
    root = shutil.copytree(tiny_model_dirs[1], tmp_path_factory.mktemp("bart") / "m")
    generation = GenerationConfig(**(DISTILBART | dict(
        num_beams=2, max_length=20, min_length=9, pad_token_id=1, bos_token_id=0,
        decoder_start_token_id=2)))
    generation.save_pretrained(root)
    return root


def test_forced_tokens_and_min_length_match_transformers(distilbart_like, tmp_path):
    hf, ct2 = _backends(distilbart_like, tmp_path)
    outputs = hf.generate(TEXTS)
    assert len(set(outputs)) > 1
    assert ct2.generate(TEXTS) == outputs
    assert ct2.generate_ids(TEXTS) == hf.generate_ids(TEXTS)  # forced BOS and EOS included


def test_pinned_lengths_produce_the_same_token_counts(distilbart_like, tmp_path):
    import torch

    pinned = GenerationOverrides(min_new_tokens=7, max_new_tokens=7)
    hf, ct2 = _backends(distilbart_like, tmp_path, pinned)
    outputs = hf.generate(TEXTS)
    assert len(set(outputs)) > 1
    assert ct2.generate(TEXTS) == outputs
    encoded = hf.tokenizer(TEXTS, return_tensors="pt", padding=True)
    with torch.inference_mode():
        output = hf.model.generate(**encoded, generation_config=hf.generation_config)
    assert output.shape[1] - 1 == 7  # minus the decoder start token
    assert dict(ct2.output_lengths) == dict(hf.output_lengths) == {7: len(TEXTS)}


def test_too_long_input_is_an_error_not_a_truncation(tiny_model_dirs, tmp_path):
    _, ct2 = _backends(tiny_model_dirs[0], tmp_path)
    with pytest.raises(GenerationError, match="exceeds the model limit"):
        ct2.generate(["woord " * 600])


# -- through the engine and the CLI -----------------------------------------------------------

def _briefing(config):
    article = next(read_file(sorted((SAMPLES / "articles").glob("*.txt"))[0], max_bytes=10**6))
    return BriefingEngine(config).process_one(article)


def test_engine_output_is_unchanged_by_the_fp32_ctranslate2_backend(tiny_model_dirs, tmp_path):
    base = _briefing(tiny_config(tiny_model_dirs, **{"runtime.model_cache": str(tmp_path)}))
    fast = _briefing(tiny_config(tiny_model_dirs, **{
        "runtime.model_cache": str(tmp_path),
        "translation.model.backend": "ctranslate2",
        "summarization.model.backend": "ctranslate2",
    }))
    assert [s.en for s in fast.sentences] == [s.en for s in base.sentences]
    assert fast.summary_sentences == base.summary_sentences
    assert fast.models["translator"].backend == "ctranslate2"


def test_engine_runs_on_int8(tiny_model_dirs, tmp_path):
    briefing = _briefing(tiny_config(tiny_model_dirs, **{
        "runtime.model_cache": str(tmp_path), "runtime.threads": 2,
        "translation.model.backend": "ctranslate2", "translation.model.quantization": "int8",
        "summarization.model.backend": "ctranslate2",
        "summarization.model.quantization": "int8",
    }))
    assert briefing.sentences and all(s.nl for s in briefing.sentences)
    assert briefing.models["summarizer"].quantization == "int8"
    generation = briefing.to_dict()["models"]["translator"]["generation"]
    assert generation["ctranslate2"]["quantization"] == "int8"


def test_cli_converts_the_configured_models(tiny_model_dirs, tmp_path):
    marian, bart = tiny_model_dirs
    args = ["models", "convert", "--translator", str(marian), "--summarizer", str(bart),
            "--set", f"runtime.model_cache={tmp_path}", "--set", "runtime.offline=true"]
    result = CliRunner().invoke(app, [*args, "--quantization", "int8"])
    assert result.exit_code == 0, result.output
    converted = sorted(p.name for p in (tmp_path / "ct2").iterdir())
    assert len(converted) == 2 and all(name.endswith("-int8") for name in converted)
    assert "translator" in result.output and "summarizer" in result.output
    config = tiny_config(tiny_model_dirs, **{"runtime.model_cache": str(tmp_path)})
    resolved = resolve_model("translator", config.translation.model,
                             model_cache=tmp_path, offline=True)
    assert (converted_dir(resolved, tmp_path, "int8") / "model.bin").is_file()


def test_cli_rejects_an_unknown_quantization(tiny_model_dirs, tmp_path):
    result = CliRunner().invoke(app, ["models", "convert", "--quantization", "int4",
                                      "--set", f"runtime.model_cache={tmp_path}"])
    assert result.exit_code == 2
    assert "int4" in result.output
