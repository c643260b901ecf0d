"""Scoring backends: a T5 fact checker's probability that a hypothesis follows from a premise.

MiniCheck-Flan-T5 (Tang et al. 2024; github.com/Liyan06/MiniCheck, ``minicheck/inference.py``)
reads ``"predict: " + premise + "</s>" + hypothesis`` and answers with one token, ``1``
(supported) or ``0``. Its score is the softmax over the logits of those two answers' first
tokens at the first decoding step (the decoder fed only its start token): in T5's vocabulary
``▁1`` (id 209) and ``▁`` (id 3, the first piece of ``0``). The ids are read from the
tokenizer here rather than hard-coded, so a test model with its own vocabulary is scored
the same way.

``FirstTokenScorer`` is the template (as ``pipeline.backends.base.Seq2SeqBackend``): the
tokenizer, the label ids, the input format, the length guard and the counters live here; a
backend supplies ``_load`` and ``_label_logits`` (token ids in, the two logits out).
``TransformersScorer`` runs one forward pass; the CTranslate2 one is
``pipeline.backends.ct2.scoring``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from pipeline.backends.base import loading
from pipeline.core.config import RuntimeConfig
from pipeline.core.errors import ModelUnavailableError
from pipeline.hub.registry import ResolvedModel

PROMPT = "predict: "
SUPPORTED, UNSUPPORTED = "1", "0"


class FirstTokenScorer(ABC):
    """P(supported) of (premise, hypothesis) pairs from a seq2seq checker's first answer token.

    Attributes:
        name: backend name recorded in provenance.
        labels: token ids of the first piece of ``0`` and of ``1``, in that order.
        max_tokens: the longest input scored; a longer pair is refused (``score``).
        stats: ``calls``, ``inputs``, ``source_tokens``.
    """

    name: ClassVar[str]

    def __init__(self, tokenizer, *, max_tokens: int, batch_size: int = 8):
        self.tokenizer = tokenizer
        self.labels = label_ids(tokenizer)
        self.max_tokens = max_tokens
        self.batch_size = max(1, batch_size)
        self.stats = {"calls": 0, "inputs": 0, "source_tokens": 0}

    @classmethod
    def load(cls, resolved: ResolvedModel, runtime: RuntimeConfig, *, max_tokens: int,
             batch_size: int = 8) -> FirstTokenScorer:
        """Load the tokenizer and check the model is an encoder-decoder, then ``_load``.

        Raises:
            ModelUnavailableError: the directory holds no loadable seq2seq checker.
        """
        from transformers import AutoConfig, AutoTokenizer

        with loading(resolved.role, resolved.path):
            tokenizer = AutoTokenizer.from_pretrained(resolved.path)
            model_config = AutoConfig.from_pretrained(resolved.path)
        if not getattr(model_config, "is_encoder_decoder", False):
            raise ModelUnavailableError(
                f"The {resolved.role} model in {resolved.path} is a "
                f"{model_config.model_type} model, not a seq2seq checker (MiniCheck-Flan-T5).")
        if tokenizer.eos_token is None:
            raise ModelUnavailableError(
                f"The {resolved.role} model's tokenizer in {resolved.path} has no end token.")
        return cls._load(resolved, runtime, tokenizer=tokenizer, model_config=model_config,
                         max_tokens=max_tokens, batch_size=batch_size)

    @classmethod
    @abstractmethod
    def _load(cls, resolved: ResolvedModel, runtime: RuntimeConfig, *, tokenizer,
              model_config, max_tokens: int, batch_size: int) -> FirstTokenScorer:
        """Load the model itself and build the scorer (wrap load errors in ``loading``)."""

    def encode(self, premise: str, hypothesis: str) -> list[int]:
        """The input ids of one pair, in MiniCheck's format, special tokens included."""
        text = PROMPT + premise + self.tokenizer.eos_token + hypothesis
        return self.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"]

    def score(self, premise: str, hypothesis: str) -> float:
        """P(the premise supports the hypothesis), 0..1."""
        return self.score_pairs([(premise, hypothesis)])[0]

    def score_pairs(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """P(supported) of each (premise, hypothesis) pair, in order.

        Raises:
            ValueError: a pair is longer than ``max_tokens`` (callers check ``fits`` first;
                this guards against silent truncation).
        """
        ids = [self.encode(p, h) for p, h in pairs]
        if not ids:
            return []
        longest = max(len(i) for i in ids)
        if longest > self.max_tokens:
            raise ValueError(f"input of {longest} tokens exceeds the limit of {self.max_tokens}")
        scores: list[float] = []
        for start in range(0, len(ids), self.batch_size):
            batch = ids[start:start + self.batch_size]
            scores.extend(supported_probability(*pair) for pair in self._label_logits(batch))
            self.stats["calls"] += 1
        self.stats["inputs"] += len(ids)
        self.stats["source_tokens"] += sum(len(i) for i in ids)
        return scores

    def fits(self, premise: str, hypothesis: str) -> bool:
        """Whether the pair is within ``max_tokens``."""
        return len(self.encode(premise, hypothesis)) <= self.max_tokens

    @abstractmethod
    def _label_logits(self, ids: list[list[int]]) -> list[tuple[float, float]]:
        """The first-step logits (or log-probabilities) of ``labels`` for each input."""

    def provenance(self) -> dict:
        """How the scores were computed, for the briefing's record."""
        return {"backend": self.name, "prompt": PROMPT.strip(), "labels": list(self.labels),
                "max_input_tokens": self.max_tokens}


def label_ids(tokenizer) -> tuple[int, int]:
    """The first token ids of the answers ``0`` and ``1`` (T5: ``▁`` 3 and ``▁1`` 209).

    Raises:
        ModelUnavailableError: the tokenizer cannot tell the two answers apart.
    """
    no = tokenizer(UNSUPPORTED, add_special_tokens=False)["input_ids"]
    yes = tokenizer(SUPPORTED, add_special_tokens=False)["input_ids"]
    if not no or not yes or no[0] == yes[0]:
        raise ModelUnavailableError(
            "The consistency model's tokenizer does not give the answers '0' and '1' distinct "
            "first tokens; it is not a MiniCheck-style checker.")
    return no[0], yes[0]


def supported_probability(unsupported: float, supported: float) -> float:
    """softmax([unsupported, supported])[1], computed stably."""
    top = max(unsupported, supported)
    a, b = math.exp(unsupported - top), math.exp(supported - top)
    return b / (a + b)


class TransformersScorer(FirstTokenScorer):
    """One encoder and one decoder step of a transformers seq2seq model per batch."""

    name = "transformers"

    def __init__(self, tokenizer, model, device, *, max_tokens: int, batch_size: int = 8):
        super().__init__(tokenizer, max_tokens=max_tokens, batch_size=batch_size)
        self.model = model
        self.device = device

    @classmethod
    def _load(cls, resolved: ResolvedModel, runtime: RuntimeConfig, *, tokenizer, model_config,
              max_tokens: int, batch_size: int) -> TransformersScorer:
        from pipeline.backends.hf import load_weights
        from pipeline.hub.device import apply_threads, resolve_device

        apply_threads(runtime.threads)
        device = resolve_device(runtime.device)
        with loading(resolved.role, resolved.path):
            model = load_weights(resolved.path)
        model.to(device).eval()
        return cls(tokenizer, model, device, max_tokens=max_tokens, batch_size=batch_size)

    def _label_logits(self, ids: list[list[int]]) -> list[tuple[float, float]]:
        import torch

        encoded = self.tokenizer.pad({"input_ids": ids}, padding=True, return_tensors="pt")
        encoded = {k: v.to(self.device) for k, v in encoded.items()}
        start = self.model.config.decoder_start_token_id
        decoder = torch.full((len(ids), 1), int(start or 0), dtype=torch.long, device=self.device)
        with torch.inference_mode():
            logits = self.model(**encoded, decoder_input_ids=decoder).logits[:, 0, :]
        picked = logits[:, list(self.labels)].float().cpu().tolist()
        return [(row[0], row[1]) for row in picked]


def load_scorer(resolved: ResolvedModel, runtime: RuntimeConfig, *, max_tokens: int,
                batch_size: int = 8) -> FirstTokenScorer:
    """Load the scorer named by the model spec's backend (each imports its library lazily)."""
    if resolved.spec.backend == "ctranslate2":
        from pipeline.backends.ct2.scoring import CTranslate2Scorer

        return CTranslate2Scorer.load(resolved, runtime, max_tokens=max_tokens,
                                      batch_size=batch_size)
    return TransformersScorer.load(resolved, runtime, max_tokens=max_tokens,
                                   batch_size=batch_size)
