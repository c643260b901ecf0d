"""The contract every generation backend fulfils, and the factory that picks one."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pipeline.core.config import GenerationOverrides, RuntimeConfig
from pipeline.hub.registry import ResolvedModel


@runtime_checkable
class Seq2SeqBackend(Protocol):
    """Tokenizer + model behind one interface: count tokens, generate text.

    Attributes:
        name: backend name recorded in provenance ("transformers", "ctranslate2").
        model_max_tokens: the longest input (special tokens included) the model accepts.
        generation_settings: the effective decoding settings, for provenance.
    """

    name: str
    model_max_tokens: int
    generation_settings: dict

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Input length of each text in model tokens, special tokens included."""
        ...

    def generate(self, texts: list[str], *, max_new_tokens: int | None = None) -> list[str]:
        """Generate one output per input, in order. No input may exceed model_max_tokens.

        ``max_new_tokens`` caps the output length; it never raises the model's own limit.
        """
        ...


def load_backend(
    resolved: ResolvedModel, runtime: RuntimeConfig, overrides: GenerationOverrides
) -> Seq2SeqBackend:
    """Load the backend named in the model spec (imported lazily: each pulls heavy libraries)."""
    if resolved.spec.backend == "ctranslate2":
        from pipeline.backends.ct2 import CTranslate2Backend

        return CTranslate2Backend.load(resolved, runtime, overrides)
    from pipeline.backends.hf import TransformersBackend

    return TransformersBackend.load(resolved, runtime, overrides)
