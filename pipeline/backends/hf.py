"""The transformers backend: AutoModelForSeq2SeqLM + generate() on CPU or CUDA.

transformers 5 has no translation/summarization pipeline tasks and reads decoding settings
only from ``generation_config.json``; the shared steps (tokenizer, generation config,
length cap, counters) live in ``pipeline.backends.base``.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForSeq2SeqLM

from pipeline.backends.base import Seq2SeqBackend, loading
from pipeline.core.config import RuntimeConfig
from pipeline.hub.device import apply_threads, resolve_device
from pipeline.hub.registry import ResolvedModel


def load_weights(path: Path):
    """The seq2seq model saved in ``path``, in float32: which weights file and how it is
    read is decided here only."""
    return AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch.float32)


class TransformersBackend(Seq2SeqBackend):
    """Generation with a transformers seq2seq model; batches are padded together."""

    name = "transformers"

    def __init__(self, tokenizer, model, generation_config, device: torch.device, *,
                 model_max_tokens: int):
        super().__init__(tokenizer, generation_config, model_max_tokens=model_max_tokens)
        self.model = model
        self.device = device

    @classmethod
    def _load(cls, resolved: ResolvedModel, runtime: RuntimeConfig, *, tokenizer, model_config,
              generation_config, model_max_tokens: int) -> TransformersBackend:
        apply_threads(runtime.threads)
        device = resolve_device(runtime.device)
        with loading(resolved.role, resolved.path):
            model = load_weights(resolved.path)
        model.to(device).eval()
        return cls(tokenizer, model, generation_config, device, model_max_tokens=model_max_tokens)

    @torch.inference_mode()
    def _generate_ids(self, ids: list[list[int]], config) -> list[list[int]]:
        encoded = self.tokenizer.pad({"input_ids": ids}, padding=True, return_tensors="pt")
        encoded = {k: v.to(self.device) for k, v in encoded.items()}
        output = self.model.generate(**encoded, generation_config=config)
        ends = _ids(config.eos_token_id)
        return [_produced(row[1:], ends) for row in output.tolist()]  # row[0]: decoder start


def _ids(value) -> set[int]:
    if value is None:
        return set()
    return {int(v) for v in value} if isinstance(value, list | tuple) else {int(value)}


def _produced(row: list[int], ends: set[int]) -> list[int]:
    """The tokens generated for one input: up to its first end token, padding dropped."""
    for position, token in enumerate(row):
        if token in ends:
            return row[: position + 1]
    return row
