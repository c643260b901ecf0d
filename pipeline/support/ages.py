"""An age given to the wrong person: "Jamie Silvonek, 54" where the article has "Jamie
Silvonek, 14" and "Cheryl Silvonek, 54".

A figure is found when the article has it with a compatible unit; an age is more than a
number with a unit: it is someone's age. When a summary sentence gives a person (a name the
NER tags as one) an age (:mod:`pipeline.text.ages`) and the article gives that same person
(the same surname, and a given name in common where both give one) an age in the same forms,
but never this one, the sentence contradicts the article. So does an age the article gives
only to someone else, when it names this person too but gives them no age ("Frank Jordan,
37" where the article has "Frank Jordan spoke with his son" and "Louis Jordan, 37"). That
someone else is named in full, with a first name the article writes where a capital shows
a name (not only opening a sentence, where "Married Adeli, 32" may be Jafar Adeli), and with
no given name that may be this person's (initials, a clipping, a variant). A
person the article does not name, or names with no age while no one else has that age, is
left to the figure check, and so is an age the article also gives in a form that names
nobody ("who is 45", "when she was 25"): it may be this person's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.text.ages import (
    PersonAge,
    person_ages,
    same_person,
    unattached_ages,
    words_written_as_names,
)
from pipeline.text.normalize import TokenStream, fold, name_tokens
from pipeline.text.persons import given_names_agree


@dataclass(frozen=True)
class ArticleAges:
    """The ages an article's texts give: to named people, and in forms naming nobody."""

    named: list[PersonAge]
    unattached: set[str]
    streams: tuple[TokenStream, ...] = field(default=(), repr=False)  # each text's words
    as_names: frozenset[str] = frozenset()  # words written where a capital shows a name

    @classmethod
    def of(cls, texts: Sequence[tuple[str, str]]) -> ArticleAges:
        """The ages of ``(text, lang)`` pairs (the English text, the Dutch original)."""
        named: list[PersonAge] = []
        unattached: set[str] = set()
        for text, lang in texts:
            if text:
                ages = person_ages(text, lang)
                named += ages
                unattached |= unattached_ages(text, lang, ages)
        given = [text for text, _ in texts if text]
        return cls(named, unattached, tuple(TokenStream(t) for t in given),
                   frozenset().union(*(words_written_as_names(t) for t in given)))

    def names(self, name: str) -> bool:
        """Whether the texts write ``name``, word for word (as names are looked up:
        :meth:`~pipeline.text.normalize.TokenStream.contains`)."""
        tokens = name_tokens(name)
        return any(stream.contains(tokens) for stream in self.streams)

    def others_aged(self, claim: PersonAge) -> list[str]:
        """The people the texts give ``claim``'s age who cannot be the claim's person, in
        text order: each named in full in that mention, with a first name the texts write
        where a capital shows a name (:func:`~pipeline.text.ages.words_written_as_names`),
        and another surname or no given name that may be the claim's (initials, a clipping,
        a spelling variant: :func:`~pipeline.text.persons.given_names_agree`)."""
        others = []
        for a in self.named:
            if a.age != claim.age or not a.given or fold([a.first or ""])[0] not in \
                    self.as_names or a.name in others or _may_be(claim, a):
                continue
            others.append(a.name)
        return others


def _may_be(claim: PersonAge, other: PersonAge) -> bool:
    """Whether ``other`` may name the claim's person by another form of a given name."""
    return fold([claim.surname]) == fold([other.surname]) and any(
        given_names_agree(x, y) for x in claim.given_names for y in other.given_names)


def _named_from_first(claim: PersonAge) -> str:
    """The claim's name from its first name on ("Britain's Frank Jordan": "Frank Jordan")."""
    words = claim.name.split()
    return " ".join(words[words.index(claim.first):]) if claim.first in words else claim.name


def wrong_ages(sentence: str, article: ArticleAges, persons: Sequence[tuple[int, int]]
               ) -> list[tuple[PersonAge, str]]:
    """The ages ``sentence`` gives to people the article gives other ages, each with the
    reason shown beside the mark ("the article gives Jamie Silvonek the age 14").

    Args:
        sentence: an English summary sentence.
        article: the article's ages (:meth:`ArticleAges.of`).
        persons: the spans of the sentence's names that may be persons (the NER's): an age
            counts only for a name among them ("Children aged 12" names nobody).
    """
    wrong = []
    for claim in person_ages(sentence):
        if not any(s < claim.name_end and claim.name_start < e for s, e in persons):
            continue
        people = [a for a in article.named if same_person(claim, a)]
        if claim.first is not None and any(a.first is not None for a in people):
            people = [a for a in people if a.first is not None]  # the full names decide
        ages = sorted({a.age for a in people}, key=int)
        if claim.age in article.unattached:
            continue  # an age that names nobody may be this person's
        if ages and claim.age not in ages:
            name = max((a.name for a in people), key=len)
            wrong.append((claim, f"the article gives {name} the age {' or '.join(ages)}"))
        elif not ages and article.names(_named_from_first(claim)):
            others = article.others_aged(claim)
            if others:
                wrong.append((claim, f"the article gives the age {claim.age} to {others[0]}"))
    return wrong
