"""How much arithmetic the benchmark's work is, and how fast this CPU does arithmetic.

A side's time says how fast it was; it does not say how far it is from what the CPU can do.
This module counts the multiply-adds (MACs) of the work every side does -- the same
sentences and articles, the same pinned output lengths -- from the models' ``config.json``,
and measures the CPU's float32 matrix-multiply rate with torch. Dividing the first by a
side's time gives its useful arithmetic rate (GMAC/s); comparing that with the measured
float32 rate shows how close a side runs to what float32 can do, and what rate a target
asks for.

The count is of the matrix products a pre-norm or post-norm encoder-decoder transformer with
incremental decoding does (what transformers' ``generate`` and CTranslate2 both do):

- encoder, per source token and layer: the q, k, v and output projections (4 d^2), the
  attention scores and weighted sum over the source (2 L d) and the feed-forward (2 d f);
- decoder, once per hypothesis (source tiled per beam, as both libraries do): the
  cross-attention keys and values of every layer over the source (2 d^2 L);
- decoder, per produced token, hypothesis and layer: self-attention projections (4 d^2) and
  attention over the t tokens so far (2 t d), cross-attention query and output projections
  (2 d^2) and attention over the source (2 L d), the feed-forward (2 d f); plus the output
  layer once per step (d V).

Layer norms, biases, activations, softmax and the beam bookkeeping are left out (a few per
cent at these sizes). Padding is not counted: it is work a batched side does on top, so a
side's rate here is its *useful* rate. ``tests/test_bench_arithmetic.py`` checks the count
against torch's own FLOP counter on a generated output.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Seq2SeqShape:
    """The dimensions of an encoder-decoder transformer that set its arithmetic."""

    encoder_layers: int
    decoder_layers: int
    d_model: int
    encoder_ffn: int
    decoder_ffn: int
    vocab: int

    @classmethod
    def from_config(cls, config: dict) -> Seq2SeqShape:
        """Read the shape from a transformers ``config.json`` (BART, Marian and alike)."""
        return cls(
            encoder_layers=int(config["encoder_layers"]),
            decoder_layers=int(config["decoder_layers"]),
            d_model=int(config["d_model"]),
            encoder_ffn=int(config["encoder_ffn_dim"]),
            decoder_ffn=int(config["decoder_ffn_dim"]),
            # Marian may decode into its own target vocabulary.
            vocab=int(config.get("decoder_vocab_size") or config["vocab_size"]),
        )

    @classmethod
    def from_model_dir(cls, path: Path) -> Seq2SeqShape:
        """Read the shape from a model directory's ``config.json``."""
        return cls.from_config(json.loads((Path(path) / "config.json").read_text("utf-8")))


def encoder_macs(shape: Seq2SeqShape, source_len: int) -> int:
    """Multiply-adds of encoding one source of ``source_len`` tokens."""
    d, n = shape.d_model, source_len
    per_layer = 4 * d * d * n + 2 * n * n * d + 2 * d * shape.encoder_ffn * n
    return shape.encoder_layers * per_layer


def decoder_macs(shape: Seq2SeqShape, source_len: int, new_tokens: int, beams: int) -> int:
    """Multiply-adds of decoding ``new_tokens`` tokens with ``beams`` hypotheses from one
    encoded source of ``source_len`` tokens (every hypothesis runs every step: the
    benchmark pins min = max new tokens, so none finishes early)."""
    d, n, steps = shape.d_model, source_len, new_tokens
    cross_keys_values = shape.decoder_layers * 2 * d * d * n
    # Step t (1-based) attends over t tokens: sum over the steps is steps*(steps+1)/2.
    per_step_fixed = (4 * d * d + 2 * d * d + 2 * n * d + 2 * d * shape.decoder_ffn)
    per_hypothesis = (shape.decoder_layers * (steps * per_step_fixed
                                              + 2 * d * (steps * (steps + 1) // 2))
                      + steps * d * shape.vocab)
    return beams * (cross_keys_values + per_hypothesis)


def generation_macs(shape: Seq2SeqShape, source_lens: list[int], new_tokens: int,
                    beams: int) -> int:
    """Multiply-adds of encoding and decoding every source (one output each)."""
    return sum(encoder_macs(shape, n) + decoder_macs(shape, n, new_tokens, beams)
               for n in source_lens)


def float32_gemm_rate(threads: int, *, size: int = 1024, seconds: float = 0.3,
                      timings: int = 5) -> float:
    """This CPU's float32 matrix-multiply rate in GMAC/s with ``threads`` threads.

    Square ``size`` products in torch (MKL or oneDNN sgemm): the best of ``timings`` timings
    of about ``seconds`` each, after a warm-up. A practical ceiling for float32 arithmetic to
    set each side's useful rate against; int8 kernels can exceed it where the CPU multiplies
    int8 faster (VNNI, AMX). On a shared VM the rate moves with the neighbours, so the
    benchmark measures it before and after the sides and keeps the higher.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        generator = torch.Generator().manual_seed(0)
        a = torch.randn(size, size, generator=generator)
        b = torch.randn(size, size, generator=generator)
        started = time.perf_counter()
        a @ b
        one = max(time.perf_counter() - started, 1e-6)
        repeats = max(1, int(seconds / one))
        best = float("inf")
        for _ in range(timings):
            started = time.perf_counter()
            for _ in range(repeats):
                a @ b
            best = min(best, time.perf_counter() - started)
    finally:
        torch.set_num_threads(previous)
    return repeats * size**3 / best / 1e9


def source_lengths(tokenizer_dir: Path, texts: list[str]) -> list[int]:
    """Token counts of ``texts`` with the model's tokenizer, special tokens included (what
    every side feeds the encoder)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]]


def arithmetic_report(*, marian: Path, bart: Path, translation_lens: list[int],
                      summary_lens: list[int], sides: dict[str, dict], settings,
                      gemm_rates: list[float], threads: int, targets: dict,
                      source_tokens: int) -> dict:
    """The work of each side in GMAC, its useful rate, and the rates the targets ask for.

    Args:
        marian, bart: the benchmark's model directories (their ``config.json``).
        translation_lens: the source length of every translated sentence.
        summary_lens: the summarizer's input length for every article (the naive side's
            ``summary_input_tokens``: every side feeds the same joined translations).
        sides: raw step results by key (``naive``, ``pipeline``, ``default``); each holds its
            decoding settings (``generation``), ``summary_source_tokens`` and its times.
        settings: the ``BenchSettings`` (pinned output lengths).
        gemm_rates: ``float32_gemm_rate`` measurements on this machine (before and after
            the sides), with ``threads`` threads; the highest is the reference.
        targets: this CPU vendor's targets (``speedup``, ``source_tokens_per_s``).
        source_tokens: the Marian source tokens of the whole input.
    """
    gemm_gmac_per_s = max(gemm_rates)
    mt_shape, sum_shape = Seq2SeqShape.from_model_dir(marian), Seq2SeqShape.from_model_dir(bart)
    per_side = {}
    for key, raw in sides.items():
        beams_mt = int(raw["generation"]["translation"].get("num_beams", 1))
        beams_sum = int(raw["generation"]["summarization"].get("num_beams", 1))
        translate = generation_macs(mt_shape, translation_lens, settings.translation_new_tokens,
                                    beams_mt) / 1e9
        summarize = generation_macs(sum_shape, summary_lens, settings.summary_new_tokens,
                                    beams_sum) / 1e9
        overall = (translate + summarize) / raw["work_s"]
        per_side[key] = {
            "translation_beams": beams_mt, "summary_beams": beams_sum,
            "translate_gmac": translate, "summarize_gmac": summarize,
            "translate_gmac_per_s": translate / raw["translate_s"],
            "summarize_gmac_per_s": summarize / raw["summarize_s"],
            "gmac_per_s": overall,
            "of_float32_gemm": overall / gemm_gmac_per_s,
        }
    default = per_side["default"]
    # (c) must do its work in (a)'s time / target; translate its sources at the token rate.
    speedup_rate = ((default["translate_gmac"] + default["summarize_gmac"])
                    / (sides["naive"]["work_s"] / targets["speedup"]))
    tokens_rate = default["translate_gmac"] / (source_tokens / targets["source_tokens_per_s"])
    return {
        "float32_gemm_gmac_per_s": gemm_gmac_per_s,
        "float32_gemm_measurements": list(gemm_rates),
        "threads": threads,
        # The lengths counted here must be what every side fed its models.
        "counted_source_tokens": sum(translation_lens),
        "counted_summary_tokens": sum(summary_lens),
        "lengths_match": sum(translation_lens) == source_tokens and all(
            raw["summary_source_tokens"] == sum(summary_lens) for raw in sides.values()),
        "sides": per_side,
        "targets_need": {
            "speedup": {"target": targets["speedup"], "gmac_per_s": speedup_rate,
                        "of_float32_gemm": speedup_rate / gemm_gmac_per_s},
            "source_tokens_per_s": {"target": targets["source_tokens_per_s"],
                                    "gmac_per_s": tokens_rate,
                                    "of_float32_gemm": tokens_rate / gemm_gmac_per_s},
        },
    }
