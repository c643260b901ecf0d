"""Who is how old: the ages a text gives to named people, in the forms news writes them.

English papers put a person's age in apposition after the name ("Cheryl Silvonek, 54, was
...", "Jane Roe, aged 31,") or before it ("20-year-old Army Spc Caleb Barnes", "the
23-year-old striker Harry Kane"); Dutch papers put it in brackets ("Jan Smit (54)") or
before the name ("de 54-jarige Jan Smit"). Each form links one number to one name, which
a bare figure check cannot see: "Jamie Silvonek, 54" passes on the article's "Cheryl
Silvonek, 54" because 54 is in the article.

A text also gives ages it links to no name here ("who is 45", "when she was 25", "the
14-year-old"): :func:`unattached_ages` lists those, since they may be anyone's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from pipeline.text.names import PARTICLES, STOPWORDS
from pipeline.text.normalize import strip_diacritics
from pipeline.text.persons import TITLES

# A capital of a Latin, Greek or Cyrillic alphabet (no "×"); each word is checked with
# str.isupper as well, since Latin Extended-A mixes the cases.
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f\u0391-\u03a9\u0410-\u042f"
_WORD = rf"[{_UPPER}][\w'\u2019-]*"
# A name's lower-case particles ("Els de Boer", "Rafael van der Vaart"); not "of" or "the".
_NAME_PARTICLES = sorted(PARTICLES - {"of", "the", "het", "y"})
_PARTICLE = "(?:" + "|".join(_NAME_PARTICLES) + ") "
# A name starts where a word starts (and a long run of capitals is not tried at each one).
_NAME = rf"(?<![\w'\u2019-])(?P<name>(?:{_WORD} (?:{_PARTICLE})*){{0,3}}{_WORD})"
_AGE = r"(?P<age>\d{1,3})"
# "Name, 54," / "Name, aged 54." / "Name aged 54" / "Name, 54 and ...". The comma is what
# makes a bare number an age: "Apollo 13." and "Radio 4," are names.
# A photo caption puts where the person stands between the name and the age: "Jamie
# Silvonek (left), 14, and ...", "Jan Smit (rechts), 54,".
_PLACE = (r"(?: \((?:(?:far|second|second from|front|back|top|bottom|centre|center|verre|"
          r"tweede van) )?(?:left|right|centre|center|pictured|above|below|top|bottom|inset|"
          r"front|back|links|rechts|midden|boven|onder|foto)\))?")
# Two names and two ages ("Ryan Clark and Emma Jones, 27 and 25,") pair them in order, which
# this form cannot read: such ages name nobody here (:data:`_PAIRED`).
_AFTER = re.compile(rf"{_NAME}{_PLACE}(?:, (?:aged )?| aged ){_AGE}"
                    r"(?=[,.;:)]| and (?!\d)| en (?!\d)|$)")
# "Jan Smit (54)": the Dutch press's form; in English brackets hold scores and minutes.
_BRACKETS = re.compile(rf"{_NAME} \({_AGE}\)")
# "54-year-old Name", "the 54-year-old striker Name", "the 26-year-old Dutch midfielder
# Name", "de 54-jarige oud-wethouder Name": the age, at most one noun saying what the person
# is (after at most one capitalised modifier), then the name. A verb there ends the phrase:
# "a 19-year-old man punched Tom Jones" gives Tom Jones no age.
_BEFORE = re.compile(rf"{_AGE}[-\u2011 ](?:year[-\u2011 ]old|jarige) "
                     rf"(?P<between>(?:(?:{_WORD} )?(?!{_PARTICLE})[a-z][\w-]* )?){_NAME}")
_OLDEST = 120
# Titles written abbreviated with a full stop ("Dr. Mark Smith"): that stop ends no sentence.
_ABBREVIATED = frozenset({"dr", "mr", "mrs", "ms", "prof", "st", "sgt", "capt", "col", "gen",
                          "gov", "sen", "rev", "cllr", "lt", "supt", "insp", "det", "mx"})
_CAPITALISED = re.compile(rf"(?<![\w'\u2019-]){_WORD}")
_POSSESSIVE_END = re.compile(r"['\u2019]s$")
# Ages given to no name: the number of "who is 45", "when she was 25", "the 14-year-old",
# "aged 31", Dutch "die 45 is", "toen zij 25 was", "de 14-jarige".
_UNATTACHED = {
    "en": re.compile(
        r"\b(?:who|that) (?:is|was|turned|turns|had turned) (?:now |then )?(\d{1,3})\b"
        r"|\b(?:he|she|they|I|we|you) (?:is|was|are|were|turned|turns) (?:now |then )?"
        r"(\d{1,3})\b"
        r"|\b(?:aged|age of) (\d{1,3})\b"
        r"|\b(\d{1,3})[-\u2011 ]years?[-\u2011 ]olds?\b", re.IGNORECASE),
    "nl": re.compile(
        r"\b(?:die|dat) (\d{1,3}) (?:is|was|werd)\b"
        r"|\b(?:hij|zij|ze|ik|we|wij) (?:is|was|werd|ben) (\d{1,3})\b"
        r"|\btoen (?:hij|zij|ze|ik|we|wij) (\d{1,3}) (?:was|werd|waren)\b"
        r"|\bleeftijd van (\d{1,3})\b"
        r"|\b(\d{1,3})-jarigen?\b", re.IGNORECASE),
}


# "Ryan Clark and Emma Jones, 27 and 25," / "Jan en Els de Boer (54 en 51)".
_PAIRED = re.compile(r"(?:, (?:aged )?|\()(\d{1,3}) (?:and|en) (\d{1,3})\b")


@dataclass(frozen=True)
class PersonAge:
    """One age a text gives to a named person: ``name`` as written (from
    ``name_start`` to ``name_end``), its ``surname`` (last word) and ``first`` name (the
    word with a capital before it and its particles, or the one an earlier mention of the
    surname gives it; None when there is none), the ``age`` as a number's digits and where
    the digits stand in the text."""

    name: str
    first: str | None
    surname: str
    age: str
    start: int
    end: int
    name_start: int
    name_end: int
    given: tuple[str, ...] = ()  # every word of the name before the surname, as written

    @property
    def given_names(self) -> tuple[str, ...]:
        """The name's given names: those it writes, else the first name it took from an
        earlier mention."""
        return self.given or ((self.first,) if self.first else ())


def person_ages(text: str, lang: str = "en") -> list[PersonAge]:
    """The ages ``text`` (English or Dutch) gives to named people, in text order (see the
    module's forms; brackets only in Dutch). A surname alone takes the first name of the
    nearest mention of that surname before it ("Jan Smit said ... The 28-year-old Smit")."""
    patterns = (_AFTER, _BEFORE, _BRACKETS) if lang == "nl" else (_AFTER, _BEFORE)
    found: dict[int, PersonAge] = {}
    lower: set[str] | None = None
    for pattern in patterns:
        for match in pattern.finditer(text):
            between = match.groupdict().get("between") or ""
            if any(_key(word) in STOPWORDS for word in between.split()):
                continue
            if lower is None:
                lower = set(re.findall(r"(?<![\w'\u2019-])[a-z][\w'\u2019-]*", text))
            age, dropped = _person_age(match, lower)
            if age is not None:
                found.setdefault(age.start, (age, dropped))
    # A word dropped as a sentence's capital may have been the first name after all ("Mark
    # Smith, 40,"): such a name takes no other mention's first name either.
    return [age if dropped else _with_earlier_first_name(text, age)
            for age, dropped in sorted(found.values(), key=lambda a: a[0].start)]


def unattached_ages(text: str, lang: str, named: Iterable[PersonAge]) -> set[str]:
    """The ages ``text`` gives in forms that link them to no name (see the module), as
    :attr:`PersonAge.age` writes them; ``named``, what :func:`person_ages` found in the same
    text, is left out. Paired ages ("X and Y, 27 and 25") are among them."""
    taken = {age.start for age in named}
    ages = set()
    for match in _UNATTACHED[lang].finditer(text):
        group = next(g for g in range(1, (match.re.groups or 0) + 1) if match.group(g))
        if match.start(group) not in taken:
            ages.add(str(int(match.group(group))))
    for match in _PAIRED.finditer(text):
        ages |= {str(int(match.group(1))), str(int(match.group(2)))}
    return ages


def _person_age(match: re.Match, lower: set[str]) -> tuple[PersonAge | None, bool]:
    """The age a match gives, and whether a capital opening a sentence was dropped."""
    words = [(w.start(), w.group()) for w in re.finditer(r"\S+", match.group("name"))]
    while words and (_key(words[0][1]) in STOPWORDS or _key(words[0][1]) in TITLES):
        words = words[1:]  # "The 23-year-old", "Mr Smith, 54,", "Dr Anna Vos"
    dropped = len(words) > 1 and words[0][1].lower() in lower and _starts_sentence(
        match.string, match.start("name") + words[0][0])
    if dropped:
        words = words[1:]  # "... Hunting. Married Adeli, 32,": a capital any sentence has
    age = match.group("age")
    if not words or _key(words[-1][1]) in STOPWORDS or not 0 < int(age) <= _OLDEST or \
            not all(w[:1].isupper() or w in PARTICLES for _, w in words):
        return None, dropped
    names = [w for _, w in words]
    before = names[:-1]
    while before and before[-1] in PARTICLES:  # "Els de Boer": Els is the first name
        before = before[:-1]
    start = match.start("name") + words[0][0]
    return PersonAge(" ".join(names), before[-1] if before else None, names[-1],
                     str(int(age)), match.start("age"), match.end("age"), start,
                     match.start("name") + words[-1][0] + len(words[-1][1]),
                     tuple(_POSSESSIVE_END.sub("", w) for w in before if w not in PARTICLES)
                     ), dropped


def words_written_as_names(text: str) -> frozenset[str]:
    """The capitalised words ``text`` writes somewhere a capital shows a name: not opening a
    sentence, where any word has one (keys as :func:`same_person` compares them)."""
    return frozenset(_key(m.group()) for m in _CAPITALISED.finditer(text)
                     if not _starts_sentence(text, m.start()))


def _starts_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` opens a sentence (or a caption's text after a colon); the
    full stop of a title or an initial ("Dr. Mark Smith", "J. Smith") ends none."""
    i = at
    while i > 0 and text[i - 1].isspace():
        i -= 1
    while i > 0 and text[i - 1] in "\"'\u2019\u201d)":
        i -= 1
    if i == 0:
        return True
    if text[i - 1] != ".":
        return text[i - 1] in "!?:"
    j = i - 1
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "."):
        j -= 1
    word = text[j:i - 1]  # the word the full stop ends ("Dr", "J", "U.S")
    return not (_key(word) in _ABBREVIATED or len(word) == 1 and word.isupper())


def _with_earlier_first_name(text: str, age: PersonAge) -> PersonAge:
    """``age`` with the first name the nearest earlier mention of its surname gives it,
    when it has none of its own (news names a person in full first, by surname after)."""
    if age.first is not None:
        return age
    mentions = re.finditer(rf"(?<![\w'\u2019-])({_WORD}) (?:{_PARTICLE})*"
                           rf"{re.escape(age.surname)}(?![\w-])", text[:age.name_start])
    firsts = [m.group(1) for m in mentions if m.group(1)[:1].isupper() and _key(m.group(1))
              not in STOPWORDS and _key(m.group(1)) not in TITLES]
    return replace(age, first=firsts[-1]) if firsts else age


def _key(word: str) -> str:
    """A name word as compared: no possessive, no accents, one case."""
    return strip_diacritics(_POSSESSIVE_END.sub("", word)).casefold()


def same_person(claim: PersonAge, other: PersonAge) -> bool:
    """Whether two names may be one person: the same surname and, where both give one, a
    given name in common ("Dylann Roof" and "Dylann Storm Roof")."""
    if _key(claim.surname) != _key(other.surname):
        return False
    if claim.first is None or other.first is None:
        return True
    return bool({_key(g) for g in claim.given_names} & {_key(g) for g in other.given_names})
