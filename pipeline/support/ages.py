"""An age given to the wrong person: "Jamie Silvonek, 54" where the article has "Jamie
Silvonek, 14" and "Cheryl Silvonek, 54".

A figure is found when the article has it with a compatible unit; an age is more than a
number with a unit: it is someone's age. When a summary sentence gives a person (a name the
NER tags as one) an age (:mod:`pipeline.text.ages`) and the article gives that same person
(the same surname, and the same first name where both give one) an age in the same forms,
but never this one, the sentence contradicts the article. A person the article gives no
age is left to the figure check, and so is an age the article also gives in a form that
names nobody ("who is 45", "when she was 25"): it may be this person's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.text.ages import PersonAge, person_ages, same_person, unattached_ages


@dataclass(frozen=True)
class ArticleAges:
    """The ages an article's texts give: to named people, and in forms naming nobody."""

    named: list[PersonAge]
    unattached: set[str]

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
        return cls(named, unattached)


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
        if ages and claim.age not in ages and claim.age not in article.unattached:
            name = max((a.name for a in people), key=len)
            wrong.append((claim, f"the article gives {name} the age {' or '.join(ages)}"))
    return wrong
