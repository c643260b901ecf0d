"""The CTranslate2 backend: a converted (optionally int8) model behind the backend contract.

Tokenization, the generation config, the length cap and the counters are the shared steps
of ``pipeline.backends.base``; this module loads the converted model (``convert``), maps
the generation config onto ``translate_batch`` (``plan``) and decodes.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import ctranslate2

from pipeline.backends.base import Seq2SeqBackend, loading
from pipeline.backends.ct2.convert import convert_model
from pipeline.backends.ct2.plan import plan_decoding
from pipeline.core.config import RuntimeConfig
from pipeline.hub.device import ct2_compute_type
from pipeline.hub.registry import ResolvedModel

# Sub-batch limits per CPU worker, measured on 2 cores. Speed: Marian (6 beams, ~30-token
# sources) is fastest at 12 sentences (72 hypotheses), ~5% faster than 8 or 16 and ~15%
# faster than 32. Memory: every hypothesis keeps the cross-attention keys and values of its
# whole source (DistilBART: 6 layers x 2 x 1,024 floats per source token, ~200 MB for 4
# beams over 1,024 tokens); 4,096 hypothesis x source tokens bounds that per worker. Two
# ~900-token articles per sub-batch would summarize ~20% faster but add ~200 MB per worker
# to the peak.
_HYPOTHESES_PER_WORKER = 72
_HYPOTHESIS_TOKENS_PER_WORKER = 4096
# On a GPU one worker decodes everything, and small sub-batches leave it idle: the CPU limits
# above cut the benchmark's 120 sentences into 10 sequential sub-batches and made the pipeline
# 6x slower than one translate_batch call on an H200 (bench/README.md, "GPU"). The GPU
# limits bound memory only: 131,072 hypothesis x source tokens is ~3 GB of DistilBART
# cross-attention keys and values in 16-bit floats.
_GPU_HYPOTHESES = 4096
_GPU_HYPOTHESIS_TOKENS = 131072


class CTranslate2Backend(Seq2SeqBackend):
    """Generation with a CTranslate2 ``Translator``; tokenization as transformers does it,
    without importing torch where ``pipeline.backends.light`` reproduces the tokenizer."""

    name = "ctranslate2"

    @classmethod
    def _load_tokenizer(cls, path: Path):
        from pipeline.backends.light import load_model_config, load_tokenizer

        return load_tokenizer(path), load_model_config(path)

    @classmethod
    def _load_generation_config(cls, path: Path, model_config, overrides):
        from pipeline.backends.light import load_generation_settings

        light = load_generation_settings(path, overrides.model_dump(exclude_none=True))
        return light if light is not None else \
            super()._load_generation_config(path, model_config, overrides)

    def __init__(self, tokenizer, translator, generation_config, *, model_max_tokens: int,
                 vocabulary: set[str], workers: int = 1, device: str = "cpu",
                 quantization: str = "none", converted: str | None = None):
        super().__init__(tokenizer, generation_config, model_max_tokens=model_max_tokens)
        self.translator = translator
        self.vocabulary = vocabulary
        self.workers = max(1, workers)
        self.device = device
        self.plan = plan_decoding(generation_config, tokenizer, vocabulary)
        self.generation_settings["ctranslate2"] = asdict(self.plan) | {
            "device": device, "quantization": quantization,
            "compute_type": ct2_compute_type(quantization, device), "converted": converted}

    @classmethod
    def _load(cls, resolved: ResolvedModel, runtime: RuntimeConfig, *, tokenizer, model_config,
              generation_config, model_max_tokens: int) -> CTranslate2Backend:
        loaded = open_translator(resolved, runtime, tokenizer.eos_token)
        return cls(tokenizer, loaded.translator, generation_config,
                   model_max_tokens=model_max_tokens, vocabulary=_vocabulary(loaded.directory),
                   workers=loaded.workers, device=loaded.device,
                   quantization=loaded.quantization, converted=loaded.directory.name)

    def _generate_ids(self, ids: list[list[int]], config) -> list[list[int]]:
        plan = self.plan if config is self.generation_config else \
            plan_decoding(config, self.tokenizer, self.vocabulary)
        source = [self.tokenizer.convert_ids_to_tokens(i) for i in ids]
        prefix = [list(plan.prefix) for _ in source] if plan.prefix else None
        size = sub_batch_size(len(source), max(len(i) for i in ids), plan.beam_size,
                              self.workers, device=self.device)
        results = self.translator.translate_batch(
            source, target_prefix=prefix, max_batch_size=size, batch_type="examples",
            **plan.options())
        eos = self.tokenizer.eos_token
        outputs = []
        for result in results:
            hypothesis = result.hypotheses[0]
            if plan.implied_end and hypothesis[-1:] != [eos]:
                # Decoding stopped one step early where transformers forces EOS (plan.py):
                # the end token transformers would have produced.
                hypothesis = [*hypothesis, eos]
            outputs.append(self.tokenizer.convert_tokens_to_ids(hypothesis))
        return outputs


@dataclass
class OpenedTranslator:
    """A converted model opened as a CTranslate2 ``Translator``, and how."""

    translator: ctranslate2.Translator
    directory: Path
    quantization: str
    device: str
    workers: int


def open_translator(resolved: ResolvedModel, runtime: RuntimeConfig,
                    eos_token: str) -> OpenedTranslator:
    """Convert ``resolved`` once (cached) and open it on the configured device and threads:
    the one place the generation backend and the consistency scorer open CTranslate2.

    Raises:
        ModelUnavailableError: the converted model cannot be loaded.
        RuntimeError: CUDA's libraries are missing (with the hint to fix it).
    """
    quantization = resolved.spec.quantization
    device = _device(runtime.device)
    directory = convert_model(resolved, runtime.model_cache, quantization)
    workers, threads = worker_threads(runtime, device)
    with loading(resolved.role, directory):
        try:
            translator = ctranslate2.Translator(
                str(directory), device=device,
                compute_type=ct2_compute_type(quantization, device),
                intra_threads=threads, inter_threads=workers,
            )
            if device == "cuda":
                # cuBLAS is opened on the first decode: fail here, once, not per article.
                translator.translate_batch([[eos_token]], max_decoding_length=1)
        except RuntimeError as exc:
            raise RuntimeError(cuda_library_hint(str(exc))) from None
    return OpenedTranslator(translator, directory, quantization, device, workers)


def cuda_library_hint(message: str) -> str:
    """CTranslate2's error, with what to do when its CUDA build cannot open a CUDA library.

    CTranslate2 4.8's wheels are built against CUDA 12 and open ``libcublas.so.12`` at run
    time; a machine with only another CUDA major version has none (bench/README.md, "GPU").
    """
    if "libcublas" in message or "libcudnn" in message:
        return (f"{message}. CTranslate2's CUDA build needs CUDA 12's cuBLAS: pip install "
                "nvidia-cublas-cu12, or use runtime.device: cpu or backend: transformers")
    return message


def sub_batch_size(size: int, longest: int, beam: int, workers: int, *,
                   device: str = "cpu") -> int:
    """Examples per sub-batch: CTranslate2 sorts the batch by length, cuts it into
    sub-batches of this size and decodes them on its workers in parallel. A sub-batch
    also stays within ``_HYPOTHESES_PER_WORKER`` beam hypotheses and
    ``_HYPOTHESIS_TOKENS_PER_WORKER`` hypotheses x source tokens on a CPU, and within the
    far larger ``_GPU_*`` limits on a GPU (see there)."""
    hypotheses, tokens = ((_HYPOTHESES_PER_WORKER, _HYPOTHESIS_TOKENS_PER_WORKER)
                          if device == "cpu" else (_GPU_HYPOTHESES, _GPU_HYPOTHESIS_TOKENS))
    return max(1, min(math.ceil(size / max(1, workers)), hypotheses // beam,
                      tokens // (beam * max(1, longest))))


def worker_threads(runtime: RuntimeConfig, device: str) -> tuple[int, int]:
    """(workers, threads per worker) for ``runtime.threads`` threads (null: every core).

    On CPU, one single-threaded worker per thread: a beam-search step is many small matrix
    products, which one thread runs without synchronisation, so sub-batches decoded in
    parallel use the cores better than threads inside each product (~1.5x on 2 cores).
    """
    total = runtime.threads or _cpu_count()
    if device != "cpu":
        return 1, total
    return total, 1


def _vocabulary(directory: Path) -> set[str]:
    for name in ("shared_vocabulary.json", "target_vocabulary.json"):
        if (directory / name).is_file():
            return set(json.loads((directory / name).read_text(encoding="utf-8")))
    return set()


def _device(requested: str) -> str:
    has_cuda = ctranslate2.get_cuda_device_count() > 0
    if requested == "cuda" and not has_cuda:
        raise ValueError("runtime.device is 'cuda' but no CUDA device is available")
    if requested == "auto":
        return "cuda" if has_cuda else "cpu"
    return requested


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
