"""Sentence splitting of English text for ROUGE-Lsum, the lead-3 baseline and the fallback NER.

Lines first (a line break always ends a sentence, so references written one sentence per
line keep their split), then the project's one segmenter within a line
(:func:`pipeline.ingest.segment.split_sentences`, pysbd with its repairs), the same the
pipeline uses on articles.
"""

from __future__ import annotations

import re

from pipeline.ingest.segment import split_sentences as segment
from pipeline.text.chunking import cut_text

SPLITTER_NAME = "briefing.segment.en.v2"  # lines, then pipeline.ingest.segment (pysbd "en")
SEGMENT_CHARS = 5_000
_MARKDOWN_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d{1,3}[.)]\s+|>\s*)")


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Split text into sentences: every non-empty line separately, then the segmenter.

    Args:
        text: text, possibly of several lines.
        language: a pysbd language code (``"en"``, ``"nl"``).

    Returns:
        The sentences, stripped, none empty.
    """
    return [s for line in text.splitlines() if line.strip()
            for s in _segment_line(line.strip(), language)]


def _segment_line(line: str, language: str) -> list[str]:
    # pysbd's time grows with the square of a line's length (a 1 MB briefing would take
    # many minutes): lines are cut at sentence ends into pieces of SEGMENT_CHARS first.
    return [s for _, piece in cut_text(line, SEGMENT_CHARS) if piece.strip()
            for s in segment(piece.strip(), language)]


def sentence_starts(text: str, language: str = "en") -> set[int]:
    """Character offsets at which a sentence of :func:`split_sentences` begins.

    Args:
        text: the text.
        language: as for :func:`split_sentences`.

    Returns:
        Offsets into ``text`` (of each sentence's first non-space character).
    """
    starts: set[int] = set()
    offset = 0
    for line in text.splitlines(keepends=True):
        at = offset
        if line.strip():
            for sentence in _segment_line(line.strip(), language):
                found = text.find(sentence[:20], at, offset + len(line))
                if found >= 0:
                    starts.add(found)
                    at = found + 1
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
