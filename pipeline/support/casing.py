"""Whether a text's casing lets the claim check work: names are found by their capitals.

The NER finds a third fewer names in text written all in lower case (or all in capitals),
and the matcher tells ``US`` from ``us`` by case; such a text is checked all the same, and
the check says that it is unreliable there instead of failing silently.
"""

from __future__ import annotations

import re

_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
MIN_WORDS = 8  # too few words to judge: a headline-like "NATO summit opens" is not flagged
# English capitalises the first word of every sentence: a text most of whose sentences
# start in lower case is written in lower case (whatever acronyms or placeholders such as
# UNK it keeps in capitals).
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)([^\W\d_])")
LOWER, CAPITALS = "lower case", "capitals"
_PLACEHOLDERS = frozenset({"UNK", "unk"})


def casing_of(text: str) -> str | None:
    """``"lower case"`` when most sentences start in lower case, ``"capitals"`` when nearly
    every word is in capitals (9 in 10), else None (normal casing, or too short)."""
    words = [w for w in _LETTER_WORD.findall(text) if w not in _PLACEHOLDERS]
    if len(words) < MIN_WORDS:
        return None
    starts = _SENTENCE_START.findall(text.strip())
    if starts and sum(c.islower() for c in starts) * 2 >= len(starts):
        return LOWER
    if sum(w.isupper() for w in words) >= 0.9 * len(words):
        return CAPITALS
    return None


def casing_report(summary: str, article: str) -> dict | None:
    """The ``casing`` object of a briefing's support record (None when both texts are cased
    normally): which text is in lower case or capitals, and a notice saying what it means."""
    found = {name: casing for name, text in (("summary", summary), ("article", article))
             if (casing := casing_of(text))}
    if not found:
        return None
    which = " and ".join(f"the {name} is in {casing}" for name, casing in found.items())
    return found | {"notice": f"{which}: names are found by their capitals, so the claim "
                              "check misses many of them here; unmarked claims are unchecked, "
                              "not supported"}
