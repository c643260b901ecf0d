"""Who is how old: the ages a text gives to named people, in the forms news writes them.

English papers put a person's age in apposition after the name ("Cheryl Silvonek, 54, was
...", "Jane Roe, aged 31,") or before it ("20-year-old Army Spc Caleb Barnes", "the
23-year-old striker Harry Kane"); Dutch papers put it in brackets ("Jan Smit (54)") or
before the name ("de 54-jarige Jan Smit"). Each form links one number to one name, which
a bare figure check cannot see: "Jamie Silvonek, 54" passes on the article's "Cheryl
Silvonek, 54" because 54 is in the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.text.names import PARTICLES, STOPWORDS
from pipeline.text.normalize import strip_diacritics

_WORD = r"[A-Z\u00c0-\u00de][\w'\u2019-]*"
# A name's lower-case particles ("Els de Boer", "Rafael van der Vaart"); not "of" or "the".
_NAME_PARTICLES = sorted(PARTICLES - {"of", "the", "het", "y"})
_PARTICLE = "(?:" + "|".join(_NAME_PARTICLES) + ") "
_NAME = rf"(?P<name>(?:{_WORD} (?:{_PARTICLE})*){{0,3}}{_WORD})"
_AGE = r"(?P<age>\d{1,3})"
# "Name, 54," / "Name, aged 54." / "Name aged 54" / "Name, 54 and ..."; "Name (54)". The
# comma is what makes a bare number an age: "Apollo 13." and "Radio 4," are names.
_AFTER = re.compile(rf"{_NAME}(?:, (?:aged )?| aged ){_AGE}(?=[,.;:)]| and | en |$)")
_BRACKETS = re.compile(rf"{_NAME} \({_AGE}\)")
# "54-year-old (words) Name", "54-jarige (words) Name": up to three lower-case words between
# ("striker", "mother-of-two"), none of them a function word ("a 19-year-old woman in
# November" names nobody). A function word, month or weekday is no name either.
_BEFORE = re.compile(rf"{_AGE}[-\u2011 ](?:year[-\u2011 ]old|jarige) "
                     rf"(?P<between>(?:[a-z][\w-]* ){{0,3}}){_NAME}")
_OLDEST = 120


@dataclass(frozen=True)
class PersonAge:
    """One age a text gives to a named person: ``name`` as written, its ``surname`` (last
    word) and ``first`` name (the word with a capital before it and its particles, None
    for a single word), the ``age`` as digits and where the digits stand in the text."""

    name: str
    first: str | None
    surname: str
    age: str
    start: int
    end: int


def person_ages(text: str) -> list[PersonAge]:
    """The ages ``text`` gives to named people, in text order (see the module's forms)."""
    found: dict[int, PersonAge] = {}
    for pattern in (_AFTER, _BRACKETS, _BEFORE):
        for match in pattern.finditer(text):
            between = match.groupdict().get("between") or ""
            if any(word in STOPWORDS for word in between.split()):
                continue
            age = _person_age(match)
            if age is not None:
                found.setdefault(age.start, age)
    return sorted(found.values(), key=lambda a: a.start)


def _person_age(match: re.Match) -> PersonAge | None:
    words = match.group("name").split()
    while words and _key(words[0]) in STOPWORDS:  # "The 23-year-old", "Mr Smith, 54,"
        words = words[1:]
    age = match.group("age")
    if not words or _key(words[-1]) in STOPWORDS or not 0 < int(age) <= _OLDEST:
        return None
    before = words[:-1]
    while before and before[-1] in PARTICLES:  # "Els de Boer": Els is the first name
        before = before[:-1]
    return PersonAge(" ".join(words), before[-1] if before else None, words[-1], age,
                     match.start("age"), match.end("age"))


def _key(word: str) -> str:
    """A name word as compared: no possessive, no accents, one case."""
    return strip_diacritics(re.sub(r"['\u2019]s$", "", word)).casefold()


def same_person(claim: PersonAge, other: PersonAge) -> bool:
    """Whether two names may be one person: the same surname and, where both give one, the
    same first name."""
    if _key(claim.surname) != _key(other.surname):
        return False
    return claim.first is None or other.first is None or _key(claim.first) == _key(other.first)
