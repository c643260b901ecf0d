"""Sentence splitting (pysbd, English) for ROUGE-Lsum, the lead-3 baseline and the fallback NER."""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

SPLITTER_NAME = "pysbd.en.v1"  # lines first, then pysbd (language="en", clean=False) per line
_MARKDOWN_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d{1,3}[.)]\s+|>\s*)")


@lru_cache(maxsize=2)
def _segmenter(char_span: bool) -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=char_span)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences: every non-empty line separately, then pysbd within a line.

    A line break always ends a sentence, so references written one sentence per
    line keep their split.

    Args:
        text: English text.

    Returns:
        The sentences, stripped, none empty.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        if line.strip():
            sentences.extend(s.strip() for s in _segmenter(False).segment(line.strip()) if s.strip())
    return sentences


def sentence_starts(text: str) -> set[int]:
    """Character offsets at which a sentence begins (first non-space character).

    Args:
        text: English text.

    Returns:
        Offsets into ``text``.
    """
    starts: set[int] = set()
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            for span in _segmenter(True).segment(line):
                stripped = len(span.sent) - len(span.sent.lstrip())
                starts.add(offset + span.start + stripped)
        offset += len(line)
    return starts


def strip_markdown(text: str) -> str:
    """Remove heading, list and quote markers at line starts (``# ``, ``- ``, ``1. ``, ``> ``).

    Args:
        text: the content of a ``.md`` reference.

    Returns:
        The text with those markers removed, line by line.
    """
    return "\n".join(_MARKDOWN_MARKER.sub("", line) for line in text.splitlines())
