"""Fitting text under model token limits without losing any of it.

Four jobs: cut a long text into pieces of bounded length at natural breaks (tools whose
cost or limits grow with text length: spaCy, the sentence segmenter), split one over-long
sentence into pieces that fit, pack consecutive sentences into chunks that fit
(summarization), and group many inputs into padded batches under a token budget
(translation throughput).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# Where a long sentence may be cut, best first: clause punctuation, then dashes, then
# coordinating conjunctions, then any space. Each keeps its separator on the left piece.
_SPLIT_PATTERNS = (
    re.compile(r"(?<=[;:])\s+"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+(?=[–—-]\s)"),
    re.compile(r"\s+(?=(?:en|maar|want|omdat|terwijl|and|but|because|while)\s)"),
    re.compile(r"\s+"),
)

TokenCounter = Callable[[list[str]], list[int]]


def cut_text(text: str, limit: int) -> list[tuple[int, str]]:
    """Cut ``text`` into ``(offset, piece)`` pieces of at most ``limit`` characters.

    Cuts fall after the last line break in the second half of the window, else after
    the last ``". "``, else after the last space (a hard cut only for text without any).
    Offsets let entity positions be mapped back to ``text``.
    """
    pieces = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = limit
        for separator in ("\n", ". ", " "):
            at = window.rfind(separator)
            if at >= limit // 2:
                cut = at + len(separator)
                break
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def split_to_fit(text: str, count: TokenCounter, limit: int) -> list[str]:
    """Split ``text`` into consecutive pieces of at most ``limit`` tokens each.

    Cuts at the most natural boundary that works (clauses before words); a single "word"
    longer than the limit is cut by characters as a last resort. Joining the pieces with
    spaces gives back the text up to whitespace.

    Args:
        text: the sentence.
        count: returns token counts for a list of strings (special tokens included).
        limit: the maximum tokens per piece.
    """
    if count([text])[0] <= limit:
        return [text]
    for pattern in _SPLIT_PATTERNS:
        parts = [p for p in pattern.split(text) if p.strip()]
        if len(parts) > 1:
            return _merge_parts(parts, count, limit)
    return _split_characters(text, count, limit)


def _merge_parts(parts: list[str], count: TokenCounter, limit: int) -> list[str]:
    """Greedily re-join adjacent parts while they fit; recurse into parts that never fit."""
    pieces: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current} {part}".strip()
        if current and count([candidate])[0] > limit:
            pieces.extend(split_to_fit(current, count, limit))
            current = part
        else:
            current = candidate
    if current:
        pieces.extend(split_to_fit(current, count, limit))
    return pieces


def _split_characters(text: str, count: TokenCounter, limit: int) -> list[str]:
    pieces = []
    rest = text
    while rest:
        low, high = 1, len(rest)
        while low < high:  # longest prefix that fits
            mid = (low + high + 1) // 2
            if count([rest[:mid]])[0] <= limit:
                low = mid
            else:
                high = mid - 1
        pieces.append(rest[:low])
        rest = rest[low:]
    return pieces


def pack_consecutive(lengths: Sequence[int], limit: int) -> list[list[int]]:
    """Group consecutive items into chunks whose summed length stays within ``limit``.

    Args:
        lengths: the token length of each item; every one must be ``<= limit``.
        limit: the chunk budget.

    Returns:
        Lists of item indices, in order, covering every item exactly once.

    Raises:
        ValueError: an item is longer than the limit on its own.
    """
    chunks: list[list[int]] = []
    current: list[int] = []
    used = 0
    for index, length in enumerate(lengths):
        if length > limit:
            raise ValueError(f"item {index} has {length} tokens, over the chunk limit {limit}")
        if current and used + length > limit:
            chunks.append(current)
            current, used = [], 0
        current.append(index)
        used += length
    if current:
        chunks.append(current)
    return chunks


def plan_batches(lengths: Sequence[int], batch_tokens: int, max_batch_size: int) -> list[list[int]]:
    """Group items into batches sorted by length so padding stays small.

    A batch's cost is its padded size, ``len(batch) * longest``; it stays within
    ``batch_tokens`` (an item longer than the budget gets a batch of its own).

    Returns:
        Lists of item indices (longest items first); every index appears exactly once.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for index in order:
        length = lengths[index]
        new_longest = max(longest, length)
        if current and (
            (len(current) + 1) * new_longest > batch_tokens or len(current) >= max_batch_size
        ):
            batches.append(current)
            current, new_longest = [], length
        current.append(index)
        longest = new_longest
    if current:
        batches.append(current)
    return batches
