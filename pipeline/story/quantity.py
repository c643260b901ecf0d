"""A figure as the interval of values it allows: "fifteen" = [15, 15], "more than ten" = (10, inf).

News rarely states a count exactly. Comparing what outlets say needs each figure read as
the set of values that make it true, so that "more than ten missiles" and "fifteen
missiles" agree (the intervals overlap) while "eighty soldiers killed" and "no one killed"
cannot both be true. The qualifier words are those of English news style guides
("more than", "at least", "up to", "about", "nearly") and their Dutch equivalents.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.text.numbers import SCALE_WORDS, number_word, parse_digits

INF = math.inf


@dataclass(frozen=True)
class Interval:
    """The values a figure allows. ``low``/``high`` may be infinite (an open end)."""

    low: float
    high: float
    low_closed: bool = True
    high_closed: bool = True

    @property
    def exact(self) -> bool:
        """A single value (``fifteen``), not a range."""
        return self.low == self.high and self.low_closed and self.high_closed

    def intersect(self, other: Interval) -> Interval | None:
        """The values both allow, or None when none."""
        if (self.low, not self.low_closed) >= (other.low, not other.low_closed):
            low, low_closed = self.low, self.low_closed
        else:
            low, low_closed = other.low, other.low_closed
        if (self.high, self.high_closed) <= (other.high, other.high_closed):
            high, high_closed = self.high, self.high_closed
        else:
            high, high_closed = other.high, other.high_closed
        if low > high or (low == high and not (low_closed and high_closed)):
            return None
        return Interval(low, high, low_closed, high_closed)

    def bounds(self) -> tuple[float | None, float | None]:
        """``(low, high)`` for JSON: an infinite end is None."""
        return (None if math.isinf(self.low) else _plain(self.low),
                None if math.isinf(self.high) else _plain(self.high))


def all_compatible(intervals: list[Interval]) -> bool:
    """True when one value satisfies every interval (on a line, pairwise overlap suffices)."""
    common: Interval | None = Interval(-INF, INF, False, False)
    for interval in intervals:
        common = common.intersect(interval) if common else None
    return common is not None


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 6)


# Qualifier phrases (lower case, whole words) -> how they turn a value v into an interval.
# Longest first, so "no more than" wins over "more than".
_QUALIFIERS: list[tuple[str, str]] = sorted([
    ("more than", "gt"), ("over", "gt"), ("upwards of", "gt"), ("in excess of", "gt"),
    ("meer dan", "gt"), ("ruim", "gt"), ("bijna", "nearly"), ("ruim over", "gt"),
    ("at least", "ge"), ("no fewer than", "ge"), ("no less than", "ge"), ("minimaal", "ge"),
    ("minstens", "ge"), ("ten minste", "ge"), ("tenminste", "ge"),
    ("fewer than", "lt"), ("less than", "lt"), ("under", "lt"), ("below", "lt"),
    ("minder dan", "lt"),
    ("at most", "le"), ("up to", "le"), ("no more than", "le"), ("as many as", "le"),
    ("maximaal", "le"), ("hooguit", "le"), ("tot", "le"), ("tot wel", "le"),
    ("about", "about"), ("around", "about"), ("approximately", "about"), ("roughly", "about"),
    ("some", "about"), ("an estimated", "about"), ("estimated", "about"), ("circa", "about"),
    ("ongeveer", "about"), ("zo'n", "about"), ("rond de", "about"), ("naar schatting", "about"),
    ("nearly", "nearly"), ("almost", "nearly"), ("close to", "nearly"), ("just under", "nearly"),
    ("bijna", "nearly"),
], key=lambda q: -len(q[0]))
# "about" allows 10% either way: the customary reading of a rounded figure in news text.
ABOUT_MARGIN = 0.10

# Vague plural counts: "dozens" is at least two dozen, "hundreds" at least two hundred.
_VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "millions": 2 * 10**6,
          "tientallen": 20, "honderden": 200, "duizenden": 2000, "miljoenen": 2 * 10**6}
_MULTIPLIERS = {"dozen": 12, "score": 20, "hundred": 100, "thousand": 1000,
                "million": 10**6, "billion": 10**9} | {
    w: v for lang in SCALE_WORDS.values() for w, v in lang.items()}
# Words that say "none": "no one was hurt", "nobody", "none of the soldiers", "geen doden".
ZERO_WORDS = frozenset({"no", "none", "nobody", "nothing", "zero", "geen", "niemand", "nul"})

_WORD = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+(?:[.,]\d+)*"
                   r"|[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")


def qualifier_of(text: str) -> tuple[str, str]:
    """Split a leading qualifier off a figure's text: ``("more than", "ten")``."""
    low = text.lower().strip()
    for phrase, _ in _QUALIFIERS:
        if low == phrase or low.startswith(phrase + " "):
            return phrase, text.strip()[len(phrase):].strip()
    return "", text.strip()


def value_of(text: str, lang: str = "en") -> tuple[float, str] | None:
    """The value written in ``text`` (no qualifier) and how it reads.

    Returns:
        ``(value, kind)`` with kind ``"exact"``, ``"vague"`` (a lower bound: "dozens") or
        ``"zero"``; None when the text is not a number.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None
    if words[0] in ZERO_WORDS or words in (["no", "one"],):
        return 0.0, "zero"
    if words[0] in ("a", "an", "een") and len(words) > 1:
        words = words[1:]
        if words[0] in _MULTIPLIERS:  # "a dozen", "a hundred"
            return float(_MULTIPLIERS[words[0]]) * _scale(words[1:]), "exact"
    if words[0] in _VAGUE:
        if len(words) > 2 and words[1] == "of" and words[2] in _VAGUE:  # tens of thousands
            return float(_VAGUE[words[0]] * _VAGUE[words[2]] // 2), "vague"
        return float(_VAGUE[words[0]]), "vague"
    if words[0] == "tens" and len(words) > 2 and words[2] in _VAGUE:
        return float(10 * _VAGUE[words[2]]), "vague"
    if words[0][0].isdigit():
        value = parse_digits(words[0])
        if value is None:
            return None
        return float(value * Decimal(_scale(words[1:]))), "exact"
    joined = "-".join(w for w in words if w not in ("and", "en"))
    for candidate in (joined, words[0]):
        number = number_word(candidate, lang) or number_word(candidate, "nl" if lang == "en" else "en")
        if number is not None:
            rest = words[1:] if candidate == words[0] else []
            return float(number) * _scale(rest), "exact"
    if words[0] in _MULTIPLIERS:
        return float(_MULTIPLIERS[words[0]]), "exact"
    return None


def _scale(rest: list[str]) -> float:
    scale = 1.0
    for word in rest:
        if word in _MULTIPLIERS:
            scale *= _MULTIPLIERS[word]
        else:
            break
    return scale


def interval_of(text: str, lang: str = "en", qualifier: str = "") -> Interval | None:
    """The interval a figure allows.

    Args:
        text: the figure as written, with or without its qualifier ("more than a dozen").
        lang: the language of the text.
        qualifier: a qualifier found elsewhere in the sentence (the parse's), used when the
            text carries none.

    Returns:
        The interval, or None when the text holds no number.
    """
    found, rest = qualifier_of(text)
    qualifier = (found or qualifier).lower()
    read = value_of(rest, lang)
    if read is None:
        return None
    value, kind = read
    if kind == "zero":
        return Interval(0, 0)
    if kind == "vague":
        return Interval(value, INF)
    how = dict(_QUALIFIERS).get(qualifier, "")
    if how == "gt":
        return Interval(value, INF, low_closed=False)
    if how == "ge":
        return Interval(value, INF)
    if how == "lt":
        return Interval(0, value, high_closed=False)
    if how == "le":
        return Interval(0, value)
    if how == "about":
        return Interval(value * (1 - ABOUT_MARGIN), value * (1 + ABOUT_MARGIN))
    if how == "nearly":
        return Interval(value * (1 - ABOUT_MARGIN), value, high_closed=False)
    return Interval(value, value)
