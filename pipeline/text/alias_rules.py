"""Aliases by rule, beside the alias table: forms of a name that English writes by a pattern.

- **numbers in names**: ``World War Two`` = ``World War II`` = ``World War 2`` (a number
  word, a roman numeral or digits, as the last word of a name);
- **club short names**: ``Cardiff City`` is ``Cardiff`` in a sports report (a place followed
  by one of the club words of British and European football, :data:`CLUB_WORDS`);
- **demonyms**: ``Uruguayan`` / ``Uruguay``, ``Iranian`` / ``Iran``, ``Chinese`` / ``China``
  (a country or people name and the same stem with a demonym suffix, :func:`demonym_stems`);
- **acronyms from initials**: ``FA`` for ``The Football Association``, and back
  (:func:`initials`), looked up in the text's runs of capitalised words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from text_to_num import text2num

from pipeline.text.normalize import name_tokens

CLUB_WORDS = frozenset({"City", "United", "Town", "Rovers", "Athletic", "County", "Wanderers",
                        "Albion", "Hotspur", "Rangers", "FC", "AFC", "CF"})
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
          "X": 10, "XI": 11, "XII": 12}
_NUMBER_WORDS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven",
                 8: "Eight", 9: "Nine", 10: "Ten", 11: "Eleven", 12: "Twelve"}
DEMONYM_SUFFIXES = ("ians", "ian", "ans", "an", "ese", "ish", "i", "s", "y", "a", "e", "n")
STEM_MIN = 4
# Demonyms no suffix rule derives from the country's name (a closed list, as in any
# gazetteer): adjectives and plurals, with the name they belong to. Singular nouns that are
# also first names or other names ("Finn", "Dane", "Brit", "Turk", "Scot") are left out.
_IRREGULAR = {
    "britain": "british briton britons brits", "netherlands": "dutch",
    "wales": "welsh", "scotland": "scottish scots", "ireland": "irish",
    "france": "french", "switzerland": "swiss", "denmark": "danish danes",
    "sweden": "swedish swede swedes", "finland": "finnish finns", "poland": "polish",
    "spain": "spanish spaniard spaniards", "turkey": "turkish turks",
    "greece": "greek greeks", "iceland": "icelandic icelander icelanders",
    "thailand": "thai thais", "philippines": "filipino filipinos philippine",
    "flanders": "flemish", "wallonia": "walloon walloons", "norway": "norwegian norwegians",
    "portugal": "portuguese", "china": "chinese", "japan": "japanese", "cyprus": "cypriot",
}
IRREGULAR_DEMONYMS = {d: country for country, words in _IRREGULAR.items()
                      for d in words.split()}
# Words that join the words of a name without an initial of their own.
_RUN_WORD = re.compile(r"[^\W_]+(?:['\u2019.\-][^\W_]+)*")
_SPACES = re.compile(r"[ \u00a0]+")
_JOINERS = frozenset({"of", "the", "and", "for", "de", "van", "du", "la"})


def _number_value(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token in _ROMAN:
        return _ROMAN[token]
    try:
        value = text2num(token.lower(), "en")
    except ValueError:
        return None
    return value if 0 < value <= 12 else None


def number_forms(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    """The same name with its last word, a number, written the other ways (Two / II / 2)."""
    if len(tokens) < 2:
        return []
    value = _number_value(tokens[-1])
    if value is None or not 1 <= value <= 12:
        return []
    head = tuple(tokens[:-1])
    roman = next(r for r, v in _ROMAN.items() if v == value)
    forms = {head + (w,) for w in (str(value), roman, _NUMBER_WORDS[value])}
    forms.discard(tuple(tokens))
    return sorted(forms)


def club_forms(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    """``Cardiff City`` -> ``Cardiff``: a club's name without its club word."""
    if len(tokens) >= 2 and tokens[-1] in CLUB_WORDS and tokens[0][:1].isupper():
        return [tuple(tokens[:-1])]
    return []


def demonym_stems(word: str) -> set[str]:
    """The word and its stems without a demonym suffix (4+ letters left), case-folded; an
    irregular demonym (:data:`IRREGULAR_DEMONYMS`) gives its country's name instead, and no
    suffix stem: "Scottish" is Scotland's, not "Scott" with "-ish"."""
    word = word.casefold()
    if word in IRREGULAR_DEMONYMS:
        return {word, IRREGULAR_DEMONYMS[word]}
    stems = {word}
    for suffix in DEMONYM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= STEM_MIN:
            stems.add(word[: -len(suffix)])
    return stems


def initials(tokens: Sequence[str]) -> str | None:
    """The acronym of a name of 2+ capitalised words (``Football Association`` -> ``FA``),
    joining words ("of", "the" ...) skipped; None when a word is neither."""
    letters = []
    for token in tokens:
        if token.casefold() in _JOINERS:
            continue
        if not token[:1].isupper():
            return None
        letters.append(token[0])
    return "".join(letters) if len(letters) >= 2 else None


def is_acronym_claim(tokens: Sequence[str]) -> bool:
    """A one-word name in capitals throughout, 2-6 letters (``FA``, ``RSPCA``)."""
    return len(tokens) == 1 and 2 <= len(tokens[0]) <= 6 and tokens[0].isalpha() and \
        tokens[0].isupper()


def capitalised_runs(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    """Runs of capitalised words (joining words allowed inside) of a token stream."""
    runs, run = [], []
    for token in tokens:
        if token[:1].isupper() or (run and token.casefold() in _JOINERS):
            run.append(token)
            continue
        if run:
            runs.append(tuple(run))
        run = []
    if run:
        runs.append(tuple(run))
    return runs


def word_runs(text: str) -> list[list[str]]:
    """The text's words in runs that only spaces separate (a line break or punctuation
    ends a run), as name tokens."""
    runs: list[list[str]] = [[]]
    at = 0
    for match in _RUN_WORD.finditer(text):
        if runs[-1] and not _SPACES.fullmatch(text[at:match.start()]):
            runs.append([])
        runs[-1].extend(name_tokens(match.group(0)))
        at = match.end()
    return [r for r in runs if r]


def acronym_index(text: str) -> dict[str, tuple[str, ...]]:
    """Every acronym the text's names make (``FA`` for its ``Football Association``), with
    the words it stands for: each stretch of 2-6 words of a run of capitalised words that
    only spaces separate."""
    index: dict[str, tuple[str, ...]] = {}
    for run in (r for words in word_runs(text) for r in capitalised_runs(words)):
        for i in range(len(run)):
            for j in range(i + 2, min(len(run), i + 6) + 1):
                part = run[i:j]
                if part[0].casefold() in _JOINERS or part[-1].casefold() in _JOINERS:
                    continue
                acronym = initials(part)
                if acronym:
                    index.setdefault(acronym, part)
    return index
