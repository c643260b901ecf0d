"""An age given to the wrong person: "Jamie Silvonek, 54" where the article has "Jamie
Silvonek, 14" and "Cheryl Silvonek, 54".

A figure is found when the article has it with a compatible unit; an age is more than a
number with a unit: it is someone's age. When a summary sentence gives a named person an
age (:mod:`pipeline.text.ages`) and the article gives that same person (the same surname,
and the same first name where both give one) an age in the same forms, but never this one,
the sentence contradicts the article. A person the article gives no age is left to the
figure check.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.text.ages import PersonAge, person_ages, same_person


def article_ages(texts: Iterable[str]) -> list[PersonAge]:
    """Every age the article's texts (English, the Dutch original) give to a named person."""
    return [age for text in texts if text for age in person_ages(text)]


def wrong_ages(sentence: str, article: list[PersonAge]) -> list[tuple[PersonAge, str]]:
    """The ages ``sentence`` gives to people the article gives other ages, each with the
    reason shown beside the mark ("the article gives Jamie Silvonek the age 14")."""
    wrong = []
    for claim in person_ages(sentence):
        people = [a for a in article if same_person(claim, a)]
        if claim.first is not None and any(a.first is not None for a in people):
            people = [a for a in people if a.first is not None]  # the full names decide
        ages = sorted({a.age for a in people}, key=int)
        if ages and claim.age not in ages:
            name = max((a.name for a in people), key=len)
            wrong.append((claim, f"the article gives {name} the age {' or '.join(ages)}"))
    return wrong
