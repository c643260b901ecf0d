"""Abstractive summarization with map-reduce for inputs over the model's limit.

An English text that fits is summarized in one call. A longer one is cut on sentence
boundaries into chunks that fit, each chunk is summarized, and the joined chunk summaries
are summarized again (repeating while they are still too long). Nothing is truncated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.backends.base import Seq2SeqBackend
from pipeline.core.config import SummarizationConfig
from pipeline.core.errors import SummaryTooLongError
from pipeline.ingest.segment import split_sentences
from pipeline.text.chunking import pack_consecutive, split_to_fit


def _join_margin(limit: int) -> int:
    """Tokens kept free per chunk: joining sentences with spaces can merge BPE tokens
    differently than counting them one by one (chunks are re-counted after joining)."""
    return max(2, limit // 100)



@dataclass
class Summary:
    """A summary and how it was produced."""

    sentences: list[str]
    chunks: int
    rounds: int
    input_tokens: int

    @property
    def text(self) -> str:
        """The summary as one paragraph."""
        return " ".join(self.sentences)


class Summarizer:
    """Summarizes English text with a :class:`Seq2SeqBackend`."""

    def __init__(self, backend: Seq2SeqBackend, config: SummarizationConfig):
        self.backend = backend
        self.config = config
        limit = backend.model_max_tokens
        if config.max_input_tokens is not None:
            limit = min(limit, config.max_input_tokens)
        self.chunk_limit = limit

    def plan_chunks(self, sentences: Sequence[str]) -> list[str]:
        """Cut sentences into consecutive chunks that each fit the model.

        Sentences are never reordered or dropped; one longer than the limit is split first.
        """
        units: list[str] = []
        for sentence in sentences:
            units.extend(split_to_fit(sentence, self.backend.count_tokens, self.chunk_limit))
        lengths = self.backend.count_tokens(units)
        budget = max(1, self.chunk_limit - _join_margin(self.chunk_limit))
        chunks: list[str] = []
        for group in pack_consecutive([min(n, budget) for n in lengths], budget):
            chunks.extend(self._fit_joined([units[i] for i in group]))
        return chunks

    def _fit_joined(self, units: list[str]) -> list[str]:
        """Join units into one chunk, halving the group if the joined text is still too long."""
        joined = " ".join(units)
        if len(units) == 1 or self.backend.count_tokens([joined])[0] <= self.chunk_limit:
            return [joined]
        middle = len(units) // 2
        return self._fit_joined(units[:middle]) + self._fit_joined(units[middle:])

    def summarize_many(self, documents: Sequence[Sequence[str]]) -> list[Summary]:
        """Summarize several documents (each a list of English sentences), batching chunks.

        Raises:
            SummaryTooLongError: a document is still over the limit after the last round.
        """
        states = [list(doc) for doc in documents]
        input_tokens = [sum(self.backend.count_tokens(list(doc))) for doc in documents]
        first_chunks = [0] * len(states)
        done: dict[int, Summary] = {}
        for round_number in range(1, self.config.max_reduce_rounds + 2):
            pending = [i for i in range(len(states)) if i not in done]
            if not pending:
                break
            plans = {i: self.plan_chunks(states[i]) for i in pending}
            for i in pending:
                if len(plans[i]) > 1 and round_number > self.config.max_reduce_rounds:
                    raise SummaryTooLongError(
                        f"still {len(plans[i])} chunks after {self.config.max_reduce_rounds} "
                        "map-reduce rounds (summarization.max_reduce_rounds)"
                    )
            if round_number == 1:
                for i in pending:
                    first_chunks[i] = len(plans[i])
            outputs = self._generate_all([c for i in pending for c in plans[i]])
            cursor = 0
            for i in pending:
                chunk_summaries = outputs[cursor: cursor + len(plans[i])]
                cursor += len(plans[i])
                sentences = [s for text in chunk_summaries for s in split_sentences(text, "en")]
                if len(plans[i]) <= 1:
                    done[i] = Summary(
                        sentences=sentences[: self.config.max_sentences],
                        chunks=first_chunks[i], rounds=round_number,
                        input_tokens=input_tokens[i],
                    )
                else:
                    states[i] = sentences
        return [done[i] for i in range(len(states))]

    def summarize(self, sentences: Sequence[str]) -> Summary:
        """Summarize one document given as English sentences."""
        return self.summarize_many([sentences])[0]

    def _generate_all(self, chunks: list[str]) -> list[str]:
        lengths = self.backend.count_tokens(chunks)
        order = sorted(range(len(chunks)), key=lambda i: -lengths[i])
        outputs: list[str] = [""] * len(chunks)
        size = self.config.batch_size
        for start in range(0, len(order), size):
            batch = order[start: start + size]
            for i, text in zip(batch, self.backend.generate([chunks[i] for i in batch]), strict=True):
                outputs[i] = text
        return outputs
