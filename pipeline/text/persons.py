"""Given names: does a text give this person the first name a claim gives them?

A full name counts as found when the text writes it in full; its surname alone is found
often ("Venter said") and says nothing about the first name. So for a person named in full
whose full name a text does not contain, the text's own full names with that surname are
looked up: the capitalised words right before the surname (across name particles: "Mark van
der Berg"), titles (Mr, President ...), words the text also writes in lower case (a
sentence-initial "But"; the parts of a lower-case hyphenated word count too), stopwords and
compound modifiers ("Leeds-born", "Centre-back": a hyphenated word with a lower-case part; a
hyphenated first name capitalises every part, as Jean-Pierre) not counted. The claim's first
name then

- agrees with one of them (:func:`given_names_agree`): the text names the person so;
- differs from all of them: the text names this person differently (a contradiction);
- or there are none: the text never gives the surname a first name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from pipeline.text.names import PARTICLES, STOPWORDS
from pipeline.text.normalize import fold, strip_diacritics
from pipeline.text.numbers import MONTHS, WEEKDAYS

AGREES, CONTRADICTS, NO_GIVEN_NAME = "agrees", "contradicts", "no-given-name"
# Titles and honorifics before a name: never a first name.
TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lady", "lord",
    "president", "prime", "minister", "premier", "general", "gen", "chancellor", "king", "queen",
    "prince", "princess", "pope", "senator", "sen", "governor", "gov", "secretary", "ayatollah",
    "commander", "colonel", "col", "lieutenant", "captain", "capt", "sheikh", "judge", "mayor",
    "rev", "reverend", "father", "bishop", "archbishop", "cardinal", "rabbi", "imam", "sgt",
    "sergeant", "officer", "detective", "inspector", "constable", "pc", "coach", "manager",
    "boss", "striker", "chairman", "chief", "st", "saint", "mp", "mep", "councillor", "cllr",
    "commissioner", "ambassador",
})
_WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]\.(?=\s)|[^\W_]+(?:['\u2019\-][^\W_]+)*")
_HYPHEN = re.compile(r"[-\u2010\u2011]")
_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)
_CALENDAR = frozenset(MONTHS["en"]) | frozenset(WEEKDAYS["en"])
CLIPPING_MIN = 3  # "Chris" for "Christopher", "Alex" for "Alexander"
VARIANT_MIN_RATIO = 80.0  # the matcher's spelling-variant rule (Aicha / Aisha)


def _key(word: str) -> str:
    return strip_diacritics(_POSSESSIVE.sub("", word)).replace(".", "").casefold()


def lower_key(word: str) -> str:
    """The key a word has in :attr:`GivenNames.lower` (no diacritics, possessive, dots or
    case)."""
    return _key(word)


@dataclass
class GivenNames:
    """For each capitalised word of a text, the first names the text writes before it.

    Build it with :meth:`of`; ``lower`` holds the words the text writes in lower case.
    """

    before: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lower: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str) -> GivenNames:
        """Index ``text``."""
        words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
        lower = frozenset(key for w, _, _ in words if w[:1].islower() for key in _lower_keys(w))
        index = cls(defaultdict(list), lower)
        for i, (word, _, _) in enumerate(words):
            if not word[:1].isupper():
                continue
            j = i - 1
            while j >= 0 and words[j][0] in PARTICLES and text[words[j][2]:words[j + 1][1]].isspace():
                j -= 1  # "Mark van der Berg": the particles belong to the surname
            if j < 0 or not text[words[j][2]:words[j + 1][1]].isspace():
                continue
            given = words[j][0]
            if not _may_be_given(given, lower):
                continue
            bare = _POSSESSIVE.sub("", given)
            index.before[_key(word)].append(bare)
            # A middle name may stand between ("Dylann Storm Roof"): the word before it, with
            # the middle name, is a first name of the surname too. Not an acronym ("CEO Tim
            # Cook", "DJ Chris Moyles"): a single initial is the only capitals it may be.
            outer = words[j - 1][0] if j > 0 else ""
            if outer and _may_be_given(outer, lower) and not _POSSESSIVE.search(outer) and \
                    not (len(outer) > 1 and outer.isupper()) and \
                    text[words[j - 1][2]:words[j][1]] == " ":
                index.before[_key(word)].append(f"{outer} {bare}")
        return index

    def given_to(self, surname: str) -> list[str]:
        """The first names the text writes right before ``surname`` (as written there; one
        before a middle name comes with it: "Dylann Storm")."""
        return list(dict.fromkeys(self.before.get(_key(surname), [])))


def _may_be_given(word: str, lower: frozenset[str]) -> bool:
    """Whether a word written before a surname may be a first name: capitalised, not a
    title, a stopword, a word the text writes in lower case or a compound modifier."""
    key = _key(word)
    return (word[:1].isupper() and key not in TITLES and key not in STOPWORDS
            and key not in lower and len(key) >= 1 and not is_compound_modifier(word))


def _lower_keys(word: str) -> tuple[str, ...]:
    """A lower-case word and, when hyphenated, each of its parts (``self-styled``: ``self``,
    ``styled``): all words the text writes in lower case."""
    parts = _HYPHEN.split(word)
    return (_key(word), *(_key(p) for p in parts if len(parts) > 1))


def is_compound_modifier(word: str) -> bool:
    """``Leeds-born``, ``Centre-back``, ``Anti-war``: a hyphenated word with a lower-case part,
    which describes a person and never is their first name (``Jean-Pierre``, ``Mary-Kate``)."""
    parts = _HYPHEN.split(word)
    return len(parts) > 1 and any(part[:1].islower() for part in parts[1:])


def is_initials(word: str) -> bool:
    """``J``, ``JK``, ``J.K.``: a first name written as initials."""
    bare = word.replace(".", "")
    return 1 <= len(bare) <= 3 and bare.isalpha() and bare.isupper()


def given_names_agree(claimed: str, written: str) -> bool:
    """Whether a claim's first name and a text's can name the same person.

    The same name (diacritics and case aside); initials for the name (``J`` / ``JK`` for
    ``Joanne``); a clipping of 3+ letters (``Chris`` / ``Christopher``); or a spelling variant
    by the matcher's rule (same first letter, length within one, ratio 80+; 5+ letters).
    """
    a, b = _key(claimed), _key(written)
    if not a or not b:
        return False
    if a == b:
        return True
    if is_initials(claimed) or is_initials(written):
        return a[0] == b[0]
    if len(a) >= CLIPPING_MIN and len(b) >= CLIPPING_MIN and (a.startswith(b) or b.startswith(a)):
        return True
    return (min(len(a), len(b)) >= 5 and a[0] == b[0] and abs(len(a) - len(b)) <= 1
            and fuzz.ratio(a, b) >= VARIANT_MIN_RATIO)


@dataclass(frozen=True)
class GivenNameCheck:
    """How a text names the person of a claim: ``agrees``, ``contradicts`` or ``no-given-name``,
    and the text's full name when it has one (``"Christopher Betts"``)."""

    verdict: str
    written: str | None = None


def check_given_name(tokens: tuple[str, ...], surname: tuple[str, ...], names: GivenNames
                     ) -> GivenNameCheck:
    """Compare the first name of a person claim with the first names a text gives its surname.

    Args:
        tokens: the claim's name tokens (``("Tom", "Easter")``).
        surname: the trailing part of them that the text contains (``("Easter",)``).
        names: the text's :class:`GivenNames`.
    """
    tokens = without_titles(tokens)
    if len(tokens) <= len(surname):
        return GivenNameCheck(AGREES, " ".join(surname))
    claimed = tokens[:len(tokens) - len(surname)]
    given = names.given_to(surname[0])
    for written in given:
        if _given_agree(claimed, written.split()):
            return GivenNameCheck(AGREES, f"{written} {' '.join(surname)}")
    if given:  # the first form the text writes: a single first name
        return GivenNameCheck(CONTRADICTS, f"{given[0]} {' '.join(surname)}")
    return GivenNameCheck(NO_GIVEN_NAME, " ".join(surname))


def _given_agree(claimed: tuple[str, ...], written: list[str]) -> bool:
    """Whether a claim's given names (``("Sam",)``, ``("Spokesman", "Sam")``) agree with the
    ones a text writes before the surname: its first with the text's first alone, or word by
    word with a first and middle name ("Spokesman Sam" is not "Spokesman John"); initials
    letter by letter with a first and middle name ("JK" is not "J Craig")."""
    if len(written) == 1:
        return given_names_agree(claimed[0], written[0])
    if len(claimed) == 1 and is_initials(claimed[0]) and len(_key(claimed[0])) > 1:
        return "".join(_key(w)[:1] for w in written).startswith(_key(claimed[0]))
    return all(given_names_agree(c, w) for c, w in zip(claimed, written, strict=False))


def without_titles(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """A name without the titles before it (``Archbishop Rowan Welby`` -> ``Rowan Welby``);
    the last word always stays."""
    while len(tokens) > 1 and fold([tokens[0]])[0] in TITLES:
        tokens = tokens[1:]
    return tokens


_FIRST_NAME = re.compile(r"(?<![\w'\u2019-])([^\W\d_]+(?:[-'\u2019][^\W\d_]+)?) $")


def with_first_name(sentence: str, start: int, taken: list[tuple[int, int]]) -> int:
    """Where a person's name really starts: a small NER drops a first name it does not know
    ("Elinor Barker" tagged as "Barker"), so a capitalised word right before the name at
    ``start``, one space apart, joins it unless it is a title, a stopword, a month or
    weekday, written in capitals, or a word of another claim (``taken``). Returns the new
    start (``start`` when nothing joins)."""
    found = _FIRST_NAME.search(sentence, max(0, start - 40), start)
    if found is None or found.end() != start:
        return start
    word = found.group(1)
    if not word[:1].isupper() or word.isupper() or \
            not _may_join(word, found.start(1), start, taken):
        return start
    return found.start(1)


def _may_join(word: str, start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    """Whether the word at ``start:end`` may join a name next to it: no title, stopword,
    month or weekday, and no word of another claim (``taken``)."""
    key = _key(word)
    return key not in TITLES and key not in STOPWORDS and key not in _CALENDAR and \
        not any(start < e and s < end for s, e in taken)


_NEXT_WORD = re.compile(r" ([^\W\d_]+(?:[-'\u2019][^\W\d_]+)?)(?![\w-])")


def lower_case_name_words(sentence: str, start: int, end: int,
                          taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Lower-case words right before and right after the name at ``start:end``, one space
    apart, that may be parts of the name whose capitals were lost (a truecaser that did not
    know the word, lower-case input: "Johan gusttrom", "aleksandar Ivanov"). Stopwords,
    titles, months and weekdays, and words of another claim (``taken``) are never parts.
    The caller decides with the tagger (a proper noun) and the article (a word it writes in
    lower case is a common word). Returns their ``(start, end)`` spans."""
    spans = []
    before = _FIRST_NAME.search(sentence, max(0, start - 40), start)
    if before is not None and before.end() == start:
        spans.append((before.start(1), before.end(1)))
    after = _NEXT_WORD.match(sentence, end)
    if after is not None:
        spans.append((after.start(1), after.end(1)))
    return [(s, e) for s, e in spans
            if sentence[s].islower() and _may_join(sentence[s:e], s, e, taken)]


def person_shaped(tokens: tuple[str, ...], names: GivenNames) -> bool:
    """Whether a name the NER did not tag PERSON has a person's shape: 2-3 capitalised words
    whose first is initials (``JK Rowling``) or a first name the text writes before some
    surname, or whose last word the text writes after a title or a first name. A name that
    opens with a title word ("Premier League", "General Motors") is an institution named
    after an office, not a person."""
    if not 2 <= len(tokens) <= 3 or not all(t[:1].isupper() for t in tokens) or \
            _key(tokens[0]) in TITLES:
        return False
    if is_initials(tokens[0]) and not tokens[-1].isupper():
        return True
    return bool(names.given_to(tokens[-1]))
