"""Sentence-wise Dutch-to-English translation, batched by a token budget.

Every input sentence gets exactly one English sentence back, in the same order: over-long
sentences are split into pieces under the model limit, translated, and re-joined; nothing
is dropped or truncated.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Protocol

from pipeline.backends.base import Seq2SeqBackend
from pipeline.core.config import TranslationConfig
from pipeline.text.chunking import plan_batches, split_to_fit


class TranslationCache(Protocol):
    """Stores translations by a key that includes the model identity and settings."""

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached translations among ``keys``."""
        ...

    def put_many(self, items: dict[str, str]) -> None:
        """Store translations."""
        ...


class MemoryTranslationCache:
    """A per-process cache (the nightly job uses a persistent one)."""

    def __init__(self) -> None:
        self._items: dict[str, str] = {}

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached translations among ``keys``."""
        return {k: self._items[k] for k in keys if k in self._items}

    def put_many(self, items: dict[str, str]) -> None:
        """Store translations."""
        self._items.update(items)

    def __len__(self) -> int:
        return len(self._items)


class Translator:
    """Translates lists of sentences with a :class:`Seq2SeqBackend`.

    Args:
        backend: the loaded translation model.
        config: translation settings (token limits, batch budget, length cap).
        identity: names the model, revision and settings; part of every cache key.
        cache: optional translation cache shared across articles and runs.
    """

    def __init__(
        self,
        backend: Seq2SeqBackend,
        config: TranslationConfig,
        identity: str,
        cache: TranslationCache | None = None,
    ):
        self.backend = backend
        self.config = config
        self.identity = identity
        self.cache = cache
        self.piece_limit = min(config.max_input_tokens, backend.model_max_tokens)
        self.stats = {"pieces": 0, "cache_hits": 0, "source_tokens": 0, "generate_calls": 0}

    def cache_key(self, text: str) -> str:
        """The cache key of one source piece under this model and these settings."""
        return hashlib.sha256(f"{self.identity}\x00{text}".encode()).hexdigest()

    def split_sentence(self, sentence: str) -> list[str]:
        """The pieces (each within the token limit) a sentence is translated as."""
        return split_to_fit(sentence, self.backend.count_tokens, self.piece_limit)

    def translate(self, sentences: Sequence[str]) -> list[str]:
        """Translate every sentence; the result has the same length and order.

        Sentences from many articles may be passed at once: batching across them is
        what makes translation fast.
        """
        pieces: list[str] = []
        owner: list[int] = []
        for index, sentence in enumerate(sentences):
            for piece in self.split_sentence(sentence):
                pieces.append(piece)
                owner.append(index)
        translated = self._translate_pieces(pieces)
        joined: list[list[str]] = [[] for _ in sentences]
        for index, text in zip(owner, translated, strict=True):
            joined[index].append(text)
        return [" ".join(part for part in parts if part).strip() for parts in joined]

    def _translate_pieces(self, pieces: list[str]) -> list[str]:
        keys = [self.cache_key(p) for p in pieces]
        cached = self.cache.get_many(keys) if self.cache is not None else {}
        # Identical pieces (wire copy, repeated boilerplate) are translated once.
        todo: dict[str, str] = {}
        for key, piece in zip(keys, pieces, strict=True):
            if key not in cached:
                todo.setdefault(key, piece)
        self.stats["pieces"] += len(pieces)
        self.stats["cache_hits"] += len(pieces) - len(todo)
        fresh = self._generate(list(todo.items()))
        if self.cache is not None and fresh:
            self.cache.put_many(fresh)
        results = {**cached, **fresh}
        return [results[k] for k in keys]

    def _generate(self, items: list[tuple[str, str]]) -> dict[str, str]:
        if not items:
            return {}
        texts = [text for _, text in items]
        lengths = self.backend.count_tokens(texts)
        self.stats["source_tokens"] += sum(lengths)
        out: dict[str, str] = {}
        for batch in plan_batches(lengths, self.config.batch_tokens, self.config.max_batch_size):
            batch_texts = [texts[i] for i in batch]
            longest = max(lengths[i] for i in batch)
            outputs = self.backend.generate(batch_texts, max_new_tokens=self._new_token_cap(longest))
            self.stats["generate_calls"] += 1
            for i, output in zip(batch, outputs, strict=True):
                out[items[i][0]] = output
        return out

    def _new_token_cap(self, longest_source: int) -> int | None:
        if self.config.generation.max_new_tokens is not None:
            return self.config.generation.max_new_tokens
        if self.config.max_length_ratio is None:
            return None
        cap = math.ceil(self.config.max_length_ratio * longest_source) + 10
        return min(cap, self.backend.model_max_tokens)
