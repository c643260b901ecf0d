"""Does speed buy silent quality loss? Token agreement on a model with confident predictions.

Random weights are useless for this: their next-token distributions are nearly flat, so
floating-point noise flips greedy choices that a real model would make with a wide margin.
Instead a tiny Marian is trained in-process to copy sample sentences (a trivially learnable
mapping, ``pipeline.backends.training``) until its greedy outputs are confident, and then:

- torch fp32, batched as the pipeline batches (length-sorted token-budget batches, padded)
  is compared with torch fp32 one sentence at a time: padding may only add float noise;
- ctranslate2 fp32 (converted) and ctranslate2 int8, both batched through the production
  backend, are compared with the same fp32 unbatched reference.

Agreement is position-wise: matching tokens / the longer sequence's length, summed over
sentences; exact match is the share of sentences with identical token sequences.

Thresholds (the constants below; asserted in tests/test_batching_fidelity.py and reported
in the benchmark's bench.json): batched fp32 and converted fp32 must agree with unbatched
fp32 on at least 99.9% of tokens (on a confident model any disagreement is a bug: mask,
positions, order); int8 on at least 97% (rounding every weight may flip a rare near-tie).
"""


from __future__ import annotations

import time
from pathlib import Path

from pipeline.backends.base import load_backend
from pipeline.backends.training import single_thread, train_copy_model
from pipeline.core.config import GenerationOverrides, ModelSpec, RuntimeConfig, TranslationConfig
from pipeline.hub.registry import resolve_model
from pipeline.text.chunking import plan_batches

TORCH_BATCHED_MIN_AGREEMENT = 0.999
CT2_FP32_MIN_AGREEMENT = 0.999
INT8_MIN_AGREEMENT = 0.97


def sample_sentences(samples_dir: Path) -> list[str]:
    """Every sentence of the sample articles (Dutch), in file order."""
    from pipeline.ingest.segment import split_sentences

    sentences = []
    for path in sorted(samples_dir.glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            if paragraph.strip():
                sentences.extend(split_sentences(" ".join(paragraph.split()), "nl"))
    return sentences


def agreement(reference: list[list[int]], other: list[list[int]]) -> dict:
    """Position-wise token agreement and exact-match rate of two lists of sequences."""
    matched = total = exact = 0
    for a, b in zip(reference, other, strict=True):
        matched += sum(x == y for x, y in zip(a, b, strict=False))
        total += max(len(a), len(b))
        exact += a == b
    return {
        "token_agreement": matched / total if total else 1.0,
        "exact_match": exact / len(reference) if reference else 1.0,
        "sentences": len(reference),
        "tokens": total,
    }


def compare(model_dir: Path, sentences: list[str], model_cache: Path) -> dict:
    """Greedy outputs of every path against torch fp32 one sentence at a time."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer


    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()
    defaults = TranslationConfig()
    lengths = [len(ids) for ids in tokenizer(sentences)["input_ids"]]
    # The production batch plan, with a budget that gives several padded batches.
    batches = plan_batches(lengths, min(defaults.batch_tokens, 256), defaults.max_batch_size)

    def strip(row: list[int]) -> list[int]:
        row = row[1:]  # decoder start token
        while row and row[-1] == tokenizer.pad_token_id:
            row.pop()
        return row

    with torch.inference_mode(), single_thread():
        reference, confidence = [], []
        for text in sentences:
            out = model.generate(**tokenizer(text, return_tensors="pt"), output_scores=True,
                                 return_dict_in_generate=True)
            reference.append(strip(out.sequences[0].tolist()))
            confidence.extend(torch.softmax(s[0], -1).max().item() for s in out.scores)
        batched: list[list[int]] = [[] for _ in sentences]
        for batch in batches:
            encoded = tokenizer([sentences[i] for i in batch], return_tensors="pt", padding=True)
            for i, row in zip(batch, model.generate(**encoded).tolist(), strict=True):
                batched[i] = strip(row)

    results = {
        "sentences": len(sentences),
        "batches": len(batches),
        "copy_accuracy": sum(r == tokenizer(s)["input_ids"]
                             for r, s in zip(reference, sentences, strict=True)) / len(sentences),
        "mean_greedy_probability": sum(confidence) / len(confidence),
        "min_greedy_probability": min(confidence),
        "torch_fp32_batched_vs_unbatched": agreement(reference, batched),
    }
    for quantization in ("none", "int8"):
        spec = ModelSpec(id=str(model_dir), backend="ctranslate2", quantization=quantization)
        resolved = resolve_model("translator", spec, model_cache=model_cache, offline=True)
        backend = load_backend(resolved, RuntimeConfig(model_cache=model_cache, device="cpu", threads=1),
                               GenerationOverrides())
        outputs: list[list[int]] = [[] for _ in sentences]
        for batch in batches:
            rows = backend.generate_ids([sentences[i] for i in batch])
            for i, row in zip(batch, rows, strict=True):
                outputs[i] = row
        name = "ct2_fp32_batched_vs_torch_fp32" if quantization == "none" else \
            "ct2_int8_batched_vs_torch_fp32"
        results[name] = agreement(reference, outputs)
    results["thresholds"] = {
        "torch_fp32_batched_vs_unbatched": TORCH_BATCHED_MIN_AGREEMENT,
        "ct2_fp32_batched_vs_torch_fp32": CT2_FP32_MIN_AGREEMENT,
        "ct2_int8_batched_vs_torch_fp32": INT8_MIN_AGREEMENT,
    }
    results["passed"] = all(
        results[name]["token_agreement"] >= bound for name, bound in results["thresholds"].items()
    )
    return results


def check(samples_dir: Path, model_cache: Path, *, steps: int, seed: int = 0) -> dict:
    """Train the copy model on the sample articles in ``samples_dir`` and compare every path.

    Args:
        samples_dir: a folder of Dutch ``*.txt`` articles (``samples/articles``).
        model_cache: where the copy model and its conversions are written.
        steps: training steps (about 250 give a confident model).
        seed: seed for the weights and the training batches.

    Returns:
        ``compare``'s results plus ``train_steps`` and ``train_s``.
    """
    started = time.perf_counter()
    model_dir, sentences = train_copy_model(Path(model_cache) / "copy-model",
                                            sample_sentences(samples_dir), steps=steps,
                                            seed=seed)
    train_s = time.perf_counter() - started
    results = compare(model_dir, sentences, model_cache)
    results["train_steps"], results["train_s"] = steps, train_s
    return results
