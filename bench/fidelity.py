"""Does speed buy silent quality loss? Token agreement on a model with confident predictions.

Random weights are useless for this: their next-token distributions are nearly flat, so
floating-point noise flips greedy choices that a real model would make with a wide margin.
Instead a tiny Marian is trained in-process to copy sample sentences (a trivially learnable
mapping) until its greedy outputs are confident, and then:

- torch fp32, batched as the pipeline batches (length-sorted token-budget batches, padded)
  is compared with torch fp32 one sentence at a time: padding may only add float noise;
- ctranslate2 fp32 (converted) and ctranslate2 int8, both batched through the production
  backend, are compared with the same fp32 unbatched reference.

Agreement is position-wise: matching tokens / the longer sequence's length, summed over
sentences; exact match is the share of sentences with identical token sequences.

Thresholds (the constants below; asserted in tests/test_batching_fidelity.py and reported
in bench.json): batched fp32 and converted fp32 must agree with unbatched fp32 on at least
99.9% of tokens (on a confident model any disagreement is a bug: mask, positions, order);
int8 on at least 97% (rounding every weight may flip a rare near-tie).
"""

from __future__ import annotations

import json
import math
import random
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path

TORCH_BATCHED_MIN_AGREEMENT = 0.999
CT2_FP32_MIN_AGREEMENT = 0.999
INT8_MIN_AGREEMENT = 0.97

DIMS = dict(d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
            decoder_attention_heads=4, encoder_ffn_dim=256, decoder_ffn_dim=256,
            dropout=0.0, attention_dropout=0.0, activation_dropout=0.0)
MAX_SOURCE_TOKENS = 32


def sample_sentences(samples_dir: Path) -> list[str]:
    """Every sentence of the sample articles (Dutch), in file order."""
    from pipeline.ingest.segment import split_sentences

    sentences = []
    for path in sorted(samples_dir.glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            if paragraph.strip():
                sentences.extend(split_sentences(" ".join(paragraph.split()), "nl"))
    return sentences


def train_copy_model(out_dir: Path, sentences: list[str], *, steps: int, seed: int = 0
                     ) -> tuple[Path, list[str]]:
    """Train a tiny Marian to copy its input; save it with ``save_pretrained``.

    Returns:
        The model directory and the sentences it was trained on (those of at most
        ``MAX_SOURCE_TOKENS`` tokens).
    """
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    from bench.random_models import train_marian_tokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab_size = train_marian_tokenizer(out_dir, sentences, None, pieces=300)
    tokenizer = MarianTokenizer.from_pretrained(out_dir)
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    encoded = [(s, tokenizer(s)["input_ids"]) for s in sentences]
    kept = [(s, ids) for s, ids in encoded if 3 <= len(ids) <= MAX_SOURCE_TOKENS]
    config = MarianConfig(vocab_size=vocab_size, decoder_vocab_size=vocab_size,
                          max_position_embeddings=128, pad_token_id=pad, eos_token_id=eos,
                          decoder_start_token_id=pad, forced_eos_token_id=eos,
                          scale_embedding=True, **DIMS)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = MarianMTModel(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / 30) * max(0.05, 1 - step / steps))
    model.train()
    with single_thread():
        for _ in range(steps):
            batch = [ids for _, ids in rng.sample(kept, min(32, len(kept)))]
            inputs = torch.full((len(batch), max(len(ids) for ids in batch)), pad)
            for row, ids in enumerate(batch):
                inputs[row, : len(ids)] = torch.tensor(ids)
            labels = inputs.masked_fill(inputs == pad, -100)  # copy: the target is the input
            loss = model(input_ids=inputs, attention_mask=(inputs != pad).long(),
                         labels=labels).loss
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            with torch.no_grad():
                # Marian's <pad> (its decoder start) embedding is zero and CTranslate2 relies
                # on it; the tied output layer would otherwise train that row.
                model.model.shared.weight[pad].zero_()
    model.eval()
    model.generation_config = GenerationConfig(
        num_beams=1, max_new_tokens=MAX_SOURCE_TOKENS + 8, pad_token_id=pad, eos_token_id=eos,
        decoder_start_token_id=pad, forced_eos_token_id=eos, bad_words_ids=[[pad]],
    )
    model.save_pretrained(out_dir)
    return out_dir, [s for s, _ in kept]


@contextmanager
def single_thread():
    """Run torch on one thread: a model this small gains nothing from a second one, and one
    thread keeps timings steady on a shared box (an OpenMP barrier waits for a preempted
    thread)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


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

    from pipeline.backends.base import load_backend
    from pipeline.core.config import GenerationOverrides, ModelSpec, RuntimeConfig, TranslationConfig
    from pipeline.hub.registry import resolve_model
    from pipeline.text.chunking import plan_batches

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


def run(job: dict) -> dict:
    """Train the copy model and compare every path (the benchmark's fidelity step)."""
    from bench.settings import BenchSettings

    settings = BenchSettings()
    cache = Path(job["model_cache"])
    shutil.rmtree(cache, ignore_errors=True)  # a fresh model and conversion every run
    started = time.perf_counter()
    model_dir, sentences = train_copy_model(cache / "copy-model", sample_sentences(
        settings.samples_dir), steps=int(job["steps"]), seed=int(job["seed"]))
    train_s = time.perf_counter() - started
    results = compare(model_dir, sentences, cache)
    results["train_steps"], results["train_s"] = int(job["steps"]), train_s
    return results


def main(argv: list[str]) -> None:
    """``python -m bench.fidelity JOB.json RESULT.json``."""
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = run(job)
    Path(argv[1]).write_text(json.dumps(result, indent=2, default=_finite), encoding="utf-8")


def _finite(value):
    return None if isinstance(value, float) and not math.isfinite(value) else str(value)


if __name__ == "__main__":
    main(sys.argv[1:])
