"""Whitespace normalisation and removal of photo captions and credits.

The Dutch and Flemish press mixes photo captions into article text:
- "<caption sentence>. Beeld AFP" (Dutch papers; also "Foto ANP", "Beeld Marcel van den Bergh"),
- "Volledig scherm <caption> © Photo News" (Flemish sites),
- a bare "© BELGA" left behind by a layout.
Captions are not part of the story, so they are removed before translation and kept
in ``removed`` for transparency.
"""

from __future__ import annotations

import re
import unicodedata

# Known agencies first; a photographer's name (capitalised words with Dutch particles) otherwise.
_AGENCIES = (
    r"ANP(?:\s+Kippa|\s+XTRA)?|AFP|AP|EPA(?:-EFE)?|Reuters|Getty(?:\s+Images)?|Hollandse\s+Hoogte|"
    r"Photo\s+News|BELGA|Belga|DPA|dpa|Shutterstock|Xinhua|Bloomberg|NOS|ImageGlobe|Imageglobe|"
    r"HH|Pro\s+Shots|Orange\s+Pictures|Soccrates|ANP/[\w ]+"
)
_NAME_WORD = r"[A-ZÀ-Ý][\w’'.-]*"
_PARTICLE = r"(?:van|de|der|den|het|ter|ten|te|op|in|la|le|du|da|’t|'t)"
_PERSON = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}|{_NAME_WORD})){{0,4}}"
_CREDIT = rf"(?:{_AGENCIES}|{_PERSON})(?:\s*/\s*(?:{_AGENCIES}|{_PERSON}))*"

# "Beeld AFP" as a whole segment, or ending a segment, or starting one (credit glued to the
# next sentence by the segmenter): group "rest" keeps what follows a known agency.
_CREDIT_ONLY = re.compile(rf"^(?:Beeld|Foto|Foto:|©)\s*(?:{_CREDIT})\s*$")
_ENDS_WITH_CREDIT = re.compile(rf"[.!?…\"”’]\s*(?:Beeld|Foto:?)\s+(?:{_CREDIT})\s*$")
_AGENCY_THEN_TEXT = re.compile(rf"^(?:Beeld|Foto:?)\s+(?:{_AGENCIES})\s+(?P<rest>\S.*)$")
_VOLLEDIG_SCHERM = re.compile(
    rf"Volledig scherm\s*(?P<caption>[^©]{{0,400}}?)\s*©\s*(?:{_AGENCIES}|{_NAME_WORD})\.?"
)
# Unicode format characters (category Cf): zero-width spaces and joiners, the word joiner,
# byte-order marks, soft hyphens, direction marks. Invisible, but they split a word ("Utr"
# + "echt") for every tokenizer after this step.
_FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]")
_BLANK_LINE = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2007\u202f]+")


def strip_format_characters(text: str) -> str:
    """``text`` without its invisible format characters (Unicode category Cf)."""
    return _FORMAT_CHARS.sub("", text)


def normalise_whitespace(text: str) -> list[str]:
    """NFC-normalise, drop format characters (zero-width and the like) and split into
    paragraphs.

    Paragraphs are separated by blank lines; single line breaks inside a paragraph become
    spaces, and runs of spaces collapse to one.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = strip_format_characters(text)
    paragraphs = []
    for block in _BLANK_LINE.split(text):
        joined = _SPACES.sub(" ", " ".join(line.strip() for line in block.split("\n"))).strip()
        if joined:
            paragraphs.append(joined)
    return paragraphs


def strip_volledig_scherm(paragraph: str, removed: list[str]) -> str:
    """Remove Flemish "Volledig scherm <caption> © Credit" blocks from a paragraph."""

    def _drop(match: re.Match) -> str:
        removed.append(match.group(0).strip())
        return " "

    return _SPACES.sub(" ", _VOLLEDIG_SCHERM.sub(_drop, paragraph)).strip()


def strip_caption_sentences(sentences: list[str], removed: list[str]) -> list[str]:
    """Drop caption sentences that end in a photo credit, and the bare credits themselves.

    Args:
        sentences: one paragraph's sentences, in order.
        removed: receives every caption and credit that was taken out.
    """
    kept: list[str] = []
    for sentence in sentences:
        if _CREDIT_ONLY.match(sentence):
            # "Beeld AFP" on its own: the sentence before it in this paragraph was the caption.
            caption = kept.pop() if kept and not sentence.startswith("©") else None
            removed.append(f"{caption} {sentence}" if caption else sentence)
            continue
        if _ENDS_WITH_CREDIT.search(sentence):
            removed.append(sentence)
            continue
        glued = _AGENCY_THEN_TEXT.match(sentence)
        if glued:
            caption = kept.pop() if kept else None
            credit = sentence[: glued.start("rest")].strip()
            removed.append(f"{caption} {credit}" if caption else credit)
            kept.append(glued.group("rest"))
            continue
        kept.append(sentence)
    return kept
