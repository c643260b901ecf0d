"""Which source sentences a briefing sentence draws on, found by lexical overlap.

The summarizer is abstractive, so there is no alignment to read off; instead each summary
sentence is compared with every English translation sentence of the article. Words are
weighted by IDF over the article's sentences (a word in every sentence says nothing), and a
translation sentence scores the weighted share of the summary sentence's words it contains.
The best 1–3 are kept, dropping any under half the best score: the reader sees the source of
the claim, not every sentence that happens to share a word.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.text.names import STOPWORDS

_TOKEN = re.compile(r"[^\W_]+(?:[.,'’-][^\W_]+)*")


@dataclass(frozen=True)
class Evidence:
    """One translation sentence a summary sentence draws on."""

    index: int  # position in the article's sentence list
    score: float  # weighted share of the summary sentence's words found there, 0..1


def tokens(text: str) -> set[str]:
    """Lower-cased content words and numbers (``1,200`` and ``1.200`` both become ``1200``)."""
    found = set()
    for raw in _TOKEN.findall(text.lower()):
        if raw[0].isdigit():
            raw = re.sub(r"[.,](?=\d{3}\b)", "", raw)
        if raw not in STOPWORDS and (len(raw) > 1 or raw.isdigit()):
            found.add(raw)
    return found


def find_evidence(summary_sentence: str, sentences: Sequence[str], *, limit: int = 3,
                  min_share_of_best: float = 0.5) -> list[Evidence]:
    """The translation sentences ``summary_sentence`` most likely draws on, best first.

    Args:
        summary_sentence: one sentence of the English briefing.
        sentences: the article's English translation, one sentence per item.
        limit: at most this many (1–3 in the digest).
        min_share_of_best: drop matches scoring under this fraction of the best one.
    """
    wanted = tokens(summary_sentence)
    if not wanted or not sentences:
        return []
    sentence_tokens = [tokens(s) for s in sentences]
    df = Counter(t for toks in sentence_tokens for t in toks)
    n = len(sentences)
    idf = {t: math.log((n + 1) / (df.get(t, 0) + 1)) + 1.0 for t in wanted}
    total = sum(idf.values())
    scored = []
    for index, toks in enumerate(sentence_tokens):
        shared = wanted & toks
        if shared:
            scored.append(Evidence(index=index, score=round(sum(idf[t] for t in shared) / total, 4)))
    scored.sort(key=lambda e: (-e.score, e.index))
    if not scored:
        return []
    floor = scored[0].score * min_share_of_best
    return [e for e in scored[:limit] if e.score >= floor]
