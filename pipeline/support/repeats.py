"""One name in two roles of one sentence: "Klopp has tipped compatriot Klopp to ...".

English names a referent a second time in the same sentence with a pronoun ("Klopp has
tipped his compatriot", "the agency says it is concerned about its future"); a repeated full
name in a role the first one governs reads as a second, different bearer of the name (the
binding principle known as Condition C). When a summary does it, the summarizer has almost
always put the article's name where another of its names belongs ("Warriors beat Warriors",
"Myleene Klass made a swipe at Myleene Klass"): every word is the article's, so string
matching alone finds nothing wrong.

The rule: a name that fills a role of its clause (subject, object, prepositional object,
conjunct) and occurs again, in the same parsed sentence and again as an argument, marks its
later mentions unsupported, unless the article itself writes that stretch of words. A name
that modifies a noun ("England captain", "Twitter's") counts only with that noun: the same
phrase in two roles ("the Scottish government has been accused ... by the Scottish
government") is the same repetition, "the England captain praised England" is none. The
NER may tag a name once and not again; every occurrence of a claim's words counts. Names
inside quotation marks are someone's words and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.text.normalize import fold, mention_tokens
from pipeline.text.persons import without_titles
from pipeline.text.syntax import SpanRole

REPEATED = "named twice in one sentence: the same name in two roles"
# The NER label of nationalities and religious or political groups. Standing alone as an
# argument such a word names a kind of people, not one referent: two clauses may each speak
# of "Westerners" or "Americans" (the binding principle is about referring names). As a
# modifier it belongs to a phrase that refers ("the Scottish government"), which counts.
GROUP = "NORP"
PERSON = "PERSON"
_QUOTES = re.compile(r"[\"\u201c\u201d]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Mention:
    """One occurrence of a name in a sentence: ``claim_start`` is the start of the claim it
    reports to (itself, or for an occurrence the NER did not tag, the claim of that name)."""

    text: str
    start: int
    end: int
    claim_start: int
    label: str = ""  # the NER label of the claim it reports to

    @property
    def person(self) -> bool:
        """Whether the claim names a person."""
        return self.label == PERSON


def name_mentions(sentence: str, claims: Sequence[tuple[str, int, int]],
                  others: Sequence[tuple[int, int]] = (),
                  labels: Mapping[int, str] | None = None) -> list[Mention]:
    """The sentence's named claims (``(text, start, end)``) and every other occurrence of
    the same words in it that no claim covers (a small NER often tags a name once and not
    where it opens the sentence), in sentence order; ``others`` are the spans of its other
    claims (figures: the "PM" of "3 PM" is no second "PM"). A repetition found at such an
    occurrence is reported on the claim of that name, the one mention the NER tagged.
    ``labels`` gives the NER label of each claim by its start: for a person, the surname
    alone counts as an occurrence too ("Everardo Custodio ... shot Custodio")."""
    labels = labels or {}
    found = [Mention(text, start, end, start, labels.get(start, ""))
             for text, start, end in claims]
    taken = [(start, end) for _, start, end in claims] + list(others)
    for text, start, _ in claims:
        words = text.strip()
        if not words:
            continue
        label = labels.get(start, "")
        forms = [rf"(?<!\w){re.escape(words)}(?!\w)"]
        if label == PERSON and len(tokens := without_titles(mention_tokens(words))) > 1:
            forms.append(rf"(?<![\w-]){re.escape(tokens[-1])}(?![\w-])")  # not "Smith-Jones"
        for form in forms:
            for match in re.finditer(form, sentence):
                if all(match.end() <= s or match.start() >= e for s, e in taken):
                    found.append(Mention(match.group(0), match.start(), match.end(), start,
                                         label))
                    taken.append((match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def repeated_mentions(sentence: str, mentions: Sequence[Mention],
                      roles: Sequence[SpanRole | None], flat_article: str) -> set[int]:
    """The indices of ``mentions`` that repeat an earlier name of the sentence in another
    role.

    Args:
        sentence: the summary sentence.
        mentions: its names, in order (:func:`name_mentions`).
        roles: the parse role of each (None: unknown, never counted).
        flat_article: the article's text as :func:`flat` gives it, once per article (a
            stretch it writes itself is not a repetition).
    """
    first: dict[tuple[tuple[str, ...], str, int], Mention] = {}
    people: dict[tuple[str, str, int], list[tuple[tuple[str, ...], Mention]]] = {}
    repeated: set[int] = set()
    for i, (mention, role) in enumerate(zip(mentions, roles, strict=True)):
        if role is None or _quoted(sentence, mention.start):
            continue
        if role.is_argument:
            if mention.label == GROUP:
                continue  # "the latest Westerners ... the recruitment of Westerners": a kind
            phrase = ""
        elif role.phrase_is_argument:
            phrase = role.head  # "the Scottish government ... by the Scottish government"
        else:
            continue
        name = tuple(fold(list(mention_tokens(mention.text))))
        if not name:
            continue
        key = (name, phrase, role.sentence)
        earlier = first.get(key)
        if earlier is None and (mention.person or len(name) == 1):
            # A surname alone and a full name with that surname name one person: "Everardo
            # Custodio shot Custodio" repeats him (two full names are two people). The NER
            # may tag the surname alone as something else. Titles go: "Mr Ray" is Ray.
            person = without_titles(name) if mention.person else name
            same = people.setdefault((person[-1], phrase, role.sentence), [])
            earlier = next((m for n, m in same if n != person and 1 in (len(n), len(person))
                            and (m.person or mention.person)), None)
            same.append((person, mention))
        if earlier is None:
            first[key] = mention
        elif flat(sentence[earlier.start:mention.end]) not in flat_article:
            repeated.add(i)
    return repeated


def _quoted(sentence: str, position: int) -> bool:
    return len(_QUOTES.findall(sentence, 0, position)) % 2 == 1


def flat(text: str) -> str:
    """``text`` in one case with its runs of white space as one space, for comparing."""
    return _SPACE.sub(" ", text).strip().casefold()
