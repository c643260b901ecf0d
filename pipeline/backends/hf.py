"""The transformers backend: AutoTokenizer + AutoModelForSeq2SeqLM + generate().

transformers 5 has no translation/summarization pipeline tasks and reads decoding settings
only from ``generation_config.json``; configured overrides are applied on top of that file.
"""

from __future__ import annotations

import copy
import pickle

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, GenerationConfig

from pipeline.core.config import GenerationOverrides, RuntimeConfig
from pipeline.core.errors import ModelUnavailableError
from pipeline.hub.device import apply_threads, resolve_device
from pipeline.hub.registry import ResolvedModel


def model_token_limit(tokenizer, model_config) -> int:
    """The longest input the model accepts: the smaller of tokenizer and position limits."""
    limits = [getattr(model_config, "max_position_embeddings", None)]
    tokenizer_max = getattr(tokenizer, "model_max_length", None)
    # Tokenizers without a limit report a huge sentinel (int(1e30)).
    if tokenizer_max and tokenizer_max < 1_000_000:
        limits.append(tokenizer_max)
    limits = [limit for limit in limits if limit]
    if not limits:
        raise ValueError("cannot tell the model's input limit")
    return int(min(limits))


class TransformersBackend:
    """Generation with a transformers seq2seq model on CPU or CUDA."""

    name = "transformers"

    def __init__(self, tokenizer, model, generation_config: GenerationConfig, device: torch.device):
        self.tokenizer = tokenizer
        self.model = model
        self.generation_config = generation_config
        self.device = device
        self.model_max_tokens = model_token_limit(tokenizer, model.config)
        self.generation_settings = {
            k: v for k, v in generation_config.to_diff_dict().items()
            if k not in {"transformers_version", "_from_model_config"}
        }

    @classmethod
    def load(
        cls, resolved: ResolvedModel, runtime: RuntimeConfig, overrides: GenerationOverrides
    ) -> TransformersBackend:
        """Load tokenizer, model and generation config from a resolved local directory.

        Raises:
            ModelUnavailableError: the directory does not hold a loadable seq2seq model.
        """
        apply_threads(runtime.threads)
        device = resolve_device(runtime.device)
        try:
            tokenizer = AutoTokenizer.from_pretrained(resolved.path)
            # A local directory never reaches transformers' hub-side safetensors
            # auto-conversion; weights_only (its default) loads tensors only from a .bin.
            model = AutoModelForSeq2SeqLM.from_pretrained(
                resolved.path, dtype=torch.float32, weights_only=True)
        except pickle.UnpicklingError:
            raise ModelUnavailableError(
                f"The {resolved.role} model's weights in {resolved.path} hold Python objects "
                "besides tensors; they were not loaded (torch weights_only), since unpickling "
                "them could run arbitrary code.") from None
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailableError(
                f"The {resolved.role} model in {resolved.path} could not be loaded: {exc}"
            ) from None
        model.to(device).eval()
        generation_config = _generation_config(resolved, model, overrides)
        return cls(tokenizer, model, generation_config, device)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token count of each text, special tokens included, never truncated."""
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=True, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]

    @torch.inference_mode()
    def generate(self, texts: list[str], *, max_new_tokens: int | None = None) -> list[str]:
        """Generate for a batch of inputs (padded together), outputs in input order.

        Args:
            texts: inputs, each within ``model_max_tokens``.
            max_new_tokens: an optional cap; it lowers, never raises, the model's own limit.

        Raises:
            ValueError: an input is longer than the model accepts (callers split first;
                this guards against silent truncation).
        """
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=False)
        longest = int(encoded["input_ids"].shape[1])
        if longest > self.model_max_tokens:
            raise ValueError(
                f"input of {longest} tokens exceeds the model limit of {self.model_max_tokens}"
            )
        encoded = {k: v.to(self.device) for k, v in encoded.items()}
        config = self.generation_config
        own_limit = config.max_new_tokens or config.max_length
        if max_new_tokens is not None and (own_limit is None or max_new_tokens < own_limit):
            # A cap only ever lowers the model's own limit.
            config = copy.deepcopy(config)
            config.max_new_tokens = max_new_tokens
            # A model-level minimum must not exceed the cap.
            if (config.min_length or 0) > max_new_tokens:
                config.min_length = 0
            if (config.min_new_tokens or 0) > max_new_tokens:
                config.min_new_tokens = max_new_tokens
        output = self.model.generate(**encoded, generation_config=config)
        return [t.strip() for t in self.tokenizer.batch_decode(output, skip_special_tokens=True)]


def _generation_config(
    resolved: ResolvedModel, model, overrides: GenerationOverrides
) -> GenerationConfig:
    try:
        config = GenerationConfig.from_pretrained(resolved.path)
    except OSError:
        config = model.generation_config
    config = GenerationConfig.from_dict(config.to_dict())
    for key, value in overrides.model_dump(exclude_none=True).items():
        setattr(config, key, value)
    return config
