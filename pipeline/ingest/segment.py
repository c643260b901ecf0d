"""Sentence segmentation with pysbd, plus the repairs Dutch news text needs."""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

# pysbd's Dutch rules split after these abbreviations ("2,5 mld. euro", "dr. Jansen").
# A segment ending in one of them is joined to the next one.
# Only abbreviations that practically never end a sentence: "VS.", "zo.", "enz." often do.
DUTCH_ABBREVIATIONS = frozenset([
    "mld", "mln", "mrd", "dr", "drs", "ir", "ing", "mr", "prof", "sr", "jr", "nr", "blz",
    "bijv", "bv", "ca", "cf", "evt", "mevr", "dhr", "jl", "jhr", "vgl", "zgn", "resp", "incl",
    "excl", "ong", "o.a", "i.p.v", "m.b.t", "t.o.v", "d.w.z", "m.i.v", "a.s", "afd", "feb",
    "mrt", "apr", "aug", "sept", "okt", "nov", "dec",
])
_LAST_TOKEN = re.compile(r"(?:^|\s)\(?([\w.]+)\.\s*$")
# pysbd sometimes returns a closing quote or bracket as a segment of its own.
_CLOSING_ONLY = re.compile(r"^[\"'”’»)\]]+$")


@lru_cache(maxsize=4)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)


def _ends_with_abbreviation(segment: str) -> bool:
    match = _LAST_TOKEN.search(segment)
    return bool(match) and match.group(1).lower() in DUTCH_ABBREVIATIONS


def split_sentences(paragraph: str, language: str = "nl") -> list[str]:
    """Split one paragraph into sentences, stripped, none empty.

    Args:
        paragraph: text without blank lines.
        language: a pysbd language code ("nl", "en").
    """
    raw = [s.strip() for s in _segmenter(language).segment(paragraph)]
    sentences: list[str] = []
    for segment in raw:
        if not segment:
            continue
        if sentences and _CLOSING_ONLY.match(segment):
            sentences[-1] = f"{sentences[-1]}{segment}"
        elif sentences and language == "nl" and _ends_with_abbreviation(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {segment}"
        else:
            sentences.append(segment)
    return sentences
