"""The contract every generation backend fulfils, its shared steps, and the factory.

``Seq2SeqBackend`` is a template (as CTranslate2's ``Converter.convert()`` with one
``_load()`` per framework): loading the tokenizer and the generation config, counting
tokens, guarding the input limit, applying a per-call length cap, decoding and keeping the
counters happen here once; a backend supplies only its model-specific steps, ``_load``
(the model) and ``_generate_ids`` (token ids in, token ids out).
"""

from __future__ import annotations

import copy
import pickle
import time
from abc import ABC, abstractmethod
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from pipeline.core.config import GenerationOverrides, RuntimeConfig
from pipeline.core.errors import GenerationError, ModelUnavailableError
from pipeline.hub.registry import ResolvedModel

# What a library raises for a model directory it cannot read (missing or corrupt files,
# unknown architecture, shape mismatches).
_LOAD_ERRORS = (OSError, ValueError, KeyError, RuntimeError)
# Keys of GenerationConfig.to_diff_dict() that describe the file, not the decoding.
_NOT_SETTINGS = frozenset({"transformers_version", "_from_model_config"})


class Seq2SeqBackend(ABC):
    """Tokenizer + model behind one interface: count tokens, generate text.

    Attributes:
        name: backend name recorded in provenance ("transformers", "ctranslate2").
        tokenizer: the model's tokenizer: transformers' (the transformers backend), or the
            same tokenization without torch (``pipeline.backends.light``, CTranslate2).
        generation_config: the model's generation config with configured overrides.
        model_max_tokens: the longest input (special tokens included) the model accepts.
        generation_settings: the effective decoding settings, for provenance.
        stats: running totals (``calls``, ``inputs``, ``source_tokens``, ``output_tokens``);
            output tokens count every produced token, a forced first token and the end
            token included, the decoder start token and padding not.
        output_lengths: how many outputs had each length (same counting as ``stats``).
        load_seconds: how long ``load`` took for the ``tokenizer`` (with the model and
            generation configs) and for the ``model`` (conversion included), for reports.
    """

    name: ClassVar[str]

    def __init__(self, tokenizer, generation_config, *, model_max_tokens: int):
        self.tokenizer = tokenizer
        self.generation_config = generation_config
        self.model_max_tokens = model_max_tokens
        self.generation_settings = settings_of(generation_config)
        self.stats = {"calls": 0, "inputs": 0, "source_tokens": 0, "output_tokens": 0}
        self.output_lengths: Counter[int] = Counter()
        self.load_seconds: dict[str, float] = {}

    # -- loading: the template ------------------------------------------------------------

    @classmethod
    def load(
        cls, resolved: ResolvedModel, runtime: RuntimeConfig, overrides: GenerationOverrides
    ) -> Seq2SeqBackend:
        """Load tokenizer, model config and generation config, then the model (``_load``).

        Raises:
            ModelUnavailableError: the directory does not hold a loadable seq2seq model.
            ValueError: CUDA requested without a GPU; a generation setting the backend
                cannot reproduce.
        """
        started = time.perf_counter()
        with loading(resolved.role, resolved.path):
            tokenizer, model_config = cls._load_tokenizer(resolved.path)
        generation_config = cls._load_generation_config(resolved.path, model_config, overrides)
        tokenizer_s = time.perf_counter() - started
        backend = cls._load(resolved, runtime, tokenizer=tokenizer, model_config=model_config,
                            generation_config=generation_config,
                            model_max_tokens=model_token_limit(tokenizer, model_config))
        backend.load_seconds = {"tokenizer": tokenizer_s,
                                "model": time.perf_counter() - started - tokenizer_s}
        return backend

    @classmethod
    def _load_tokenizer(cls, path: Path):
        """The model's tokenizer and model config: transformers' (a backend that needs no
        torch reads them without it, ``pipeline.backends.light``)."""
        from transformers import AutoConfig, AutoTokenizer

        return AutoTokenizer.from_pretrained(path), AutoConfig.from_pretrained(path)

    @classmethod
    def _load_generation_config(cls, path: Path, model_config, overrides: GenerationOverrides):
        """The model's generation config with the overrides (transformers' by default)."""
        return load_generation_config(path, model_config, overrides)

    @classmethod
    @abstractmethod
    def _load(cls, resolved: ResolvedModel, runtime: RuntimeConfig, *, tokenizer, model_config,
              generation_config, model_max_tokens: int) -> Seq2SeqBackend:
        """Load the model itself and build the backend (wrap load errors in ``loading``)."""

    # -- generation: the template ---------------------------------------------------------

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token count of each text, special tokens included, never truncated."""
        return [len(ids) for ids in self.encode(texts)]

    def encode(self, texts: list[str]) -> list[list[int]]:
        """Input token ids of each text, special tokens included, never truncated."""
        if not texts:
            return []
        return self.tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]

    def generate(self, texts: list[str], *, max_new_tokens: int | None = None) -> list[str]:
        """Generate one output per input, in order. No input may exceed model_max_tokens.

        Args:
            texts: inputs, each within ``model_max_tokens``.
            max_new_tokens: an optional cap; it lowers, never raises, the model's own limit.

        Raises:
            ValueError: an input is longer than the model accepts (callers split first;
                this guards against silent truncation).
        """
        output_ids = self.generate_ids(texts, max_new_tokens=max_new_tokens)
        decoded = self.tokenizer.batch_decode(output_ids, skip_special_tokens=True)
        return [text.strip() for text in decoded]

    def generate_ids(self, texts: list[str], *, max_new_tokens: int | None = None
                     ) -> list[list[int]]:
        """Output token ids per input, as produced (counted as in ``stats``).

        Raises:
            GenerationError: an input is longer than the model accepts, or the model
                library failed while generating (its RuntimeError or ValueError).
        """
        ids = self.encode(texts)
        if not ids:
            return []
        longest = max(len(i) for i in ids)
        if longest > self.model_max_tokens:
            raise GenerationError(
                f"input of {longest} tokens exceeds the model limit of {self.model_max_tokens}"
            )
        try:
            outputs = self._generate_ids(ids, capped(self.generation_config, max_new_tokens))
        except (RuntimeError, ValueError) as exc:  # torch / CTranslate2 on this input
            raise GenerationError(f"the model failed on this input: {exc}") from exc
        self.stats["calls"] += 1
        self.stats["inputs"] += len(ids)
        self.stats["source_tokens"] += sum(len(i) for i in ids)
        for row in outputs:
            self.stats["output_tokens"] += len(row)
            self.output_lengths[len(row)] += 1
        return outputs

    @abstractmethod
    def _generate_ids(self, ids: list[list[int]], config) -> list[list[int]]:
        """Decode a batch with ``config`` (the cap already applied); one row per input, in
        order, holding the produced tokens: no decoder start token, no padding."""

    def reset_counters(self) -> None:
        """Zero ``stats`` and ``output_lengths`` (e.g. after a warm-up call)."""
        self.stats = dict.fromkeys(self.stats, 0)
        self.output_lengths.clear()


def load_backend(
    resolved: ResolvedModel, runtime: RuntimeConfig, overrides: GenerationOverrides
) -> Seq2SeqBackend:
    """Load the backend named in the model spec (imported lazily: each pulls heavy libraries)."""
    if resolved.spec.backend == "ctranslate2":
        from pipeline.backends.ct2.runtime import CTranslate2Backend

        return CTranslate2Backend.load(resolved, runtime, overrides)
    from pipeline.backends.hf import TransformersBackend

    return TransformersBackend.load(resolved, runtime, overrides)


# -- the shared steps -------------------------------------------------------------------------

@contextmanager
def loading(role: str, path: Path):
    """Turn a library's failure to read a model directory into ``ModelUnavailableError``."""
    try:
        yield
    except pickle.UnpicklingError:
        raise ModelUnavailableError(unsafe_pickle_message(role, path)) from None
    except _LOAD_ERRORS as exc:
        raise ModelUnavailableError(f"The {role} model in {path} could not be loaded: {exc}") \
            from None


def unsafe_pickle_message(role: str, path: Path) -> str:
    """The sentence for weights that torch's ``weights_only`` refused to unpickle."""
    return (f"The {role} model's weights in {path} hold Python objects besides tensors; they "
            "were not loaded (torch weights_only), since unpickling them could run arbitrary "
            "code.")


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


def load_generation_config(path: Path, model_config, overrides: GenerationOverrides):
    """The model's generation config with configured overrides applied on top.

    transformers 5 takes decoding settings only from ``generation_config.json``; a model
    without one gets what ``from_pretrained`` gives it (derived from its ``config.json``).
    """
    from transformers import GenerationConfig

    try:
        config = GenerationConfig.from_pretrained(path)
    except OSError:
        config = GenerationConfig.from_model_config(model_config)
    config = GenerationConfig.from_dict(config.to_dict())
    for key, value in overrides.model_dump(exclude_none=True).items():
        setattr(config, key, value)
    return config


def capped(config, max_new_tokens: int | None):
    """``config`` with a per-call cap on new tokens (a copy; ``config`` itself when the cap
    does not lower the model's own limit: a cap never raises it).

    A model-level minimum must not exceed an applied cap: ``min_length`` is dropped and
    ``min_new_tokens`` lowered to the cap.
    """
    own_limit = config.max_new_tokens or config.max_length
    if max_new_tokens is None or (own_limit is not None and max_new_tokens >= own_limit):
        return config
    config = copy.deepcopy(config)
    config.max_new_tokens = max_new_tokens
    if (config.min_length or 0) > max_new_tokens:
        config.min_length = 0
    if (config.min_new_tokens or 0) > max_new_tokens:
        config.min_new_tokens = max_new_tokens
    return config


def settings_of(config) -> dict:
    """The decoding settings of a generation config that differ from the defaults."""
    return {k: v for k, v in config.to_diff_dict().items() if k not in _NOT_SETTINGS}
