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
    "mrt", "apr", "aug", "sept", "okt", "nov", "dec", "st", "mgr", "ds", "br", "kard",
])
# Names written with an exclamation mark (the Flemish party "Groen!"); never a sentence end.
EXCLAMATION_NAMES = frozenset(["groen!", "yahoo!"])
_LAST_TOKEN = re.compile(r"(?:^|\s)\(?([\w.]+)\.\s*$")
_LAST_WORD = re.compile(r"(?:^|\s)\(?(\w+!)\s*$")
# "50 v. Chr." / "n. Chr.": the era abbreviation is split in two by pysbd.
_ERA_START = re.compile(r"(?:^|\s)[vn]\.\s*$")
_ERA_END = re.compile(r"^Chr\.")
# pysbd sometimes returns a closing quote or bracket as a segment of its own.
_CLOSING_ONLY = re.compile(r"^[\"'”’»)\]]+$")
# ... or puts an old-style closing quote ('' or ’’) at the start of the next sentence.
_LEADING_CLOSE_QUOTE = re.compile(r"^(''|’’|”)(?=\s|$)\s*")
# pysbd's time grows quadratically with paragraph length; longer paragraphs are cut first.
MAX_SEGMENT_CHARS = 1500
_PIECE_BREAK = re.compile(r"[.!?…][\"'”’»)]*\s")


@lru_cache(maxsize=4)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)


def _ends_with_abbreviation(segment: str) -> bool:
    match = _LAST_TOKEN.search(segment)
    return bool(match) and match.group(1).lower() in DUTCH_ABBREVIATIONS


def _ends_with_exclamation_name(segment: str) -> bool:
    match = _LAST_WORD.search(segment)
    return bool(match) and match.group(1).lower() in EXCLAMATION_NAMES


def _joins_next(previous: str, segment: str) -> bool:
    """Whether pysbd's split between ``previous`` and ``segment`` is a false boundary."""
    return (_ends_with_abbreviation(previous) or _ends_with_exclamation_name(previous)
            or (bool(_ERA_START.search(previous)) and bool(_ERA_END.match(segment))))


def bounded_pieces(paragraph: str, limit: int = MAX_SEGMENT_CHARS) -> list[str]:
    """Cut a paragraph into pieces of at most ``limit`` characters for the segmenter.

    Cuts after the last sentence-ending punctuation inside the limit, else at the last space,
    else hard at the limit, so no text is lost and the segmenter's work stays linear.
    """
    pieces: list[str] = []
    rest = paragraph
    while len(rest) > limit:
        window = rest[:limit]
        ends = [m.end() for m in _PIECE_BREAK.finditer(window)]
        cut = ends[-1] if ends else window.rfind(" ") + 1
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return [p for p in pieces if p.strip()]


def split_sentences(paragraph: str, language: str = "nl") -> list[str]:
    """Split one paragraph into sentences, stripped, none empty.

    Args:
        paragraph: text without blank lines.
        language: a pysbd language code ("nl", "en").
    """
    raw = [s.strip() for piece in bounded_pieces(paragraph)
           for s in _segmenter(language).segment(piece)]
    sentences: list[str] = []
    for segment in raw:
        if sentences:
            quote = _LEADING_CLOSE_QUOTE.match(segment)
            if quote:
                sentences[-1] = f"{sentences[-1]}{quote.group(1)}"
                segment = segment[quote.end():]
        if not segment:
            continue
        if sentences and _CLOSING_ONLY.match(segment):
            sentences[-1] = f"{sentences[-1]}{segment}"
        elif sentences and language == "nl" and _joins_next(sentences[-1], segment):
            sentences[-1] = f"{sentences[-1]} {segment}"
        else:
            sentences.append(segment)
    return sentences
