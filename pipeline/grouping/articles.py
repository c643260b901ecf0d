"""Group the night's articles by event: several outlets on one story get one heading.

Two signals, each a TF-IDF-weighted cosine over sets of features, IDF taken over the night's
articles (a name every article mentions says little; a name two articles share says a lot):

- **entities** (weight :data:`ENTITY_WEIGHT`): capitalised names and numbers from the Dutch
  text *and* its English translation. Names mostly survive translation ("Kruiningen",
  "Soleimani"); numbers are normalised so Dutch ``1.200`` and English ``1,200`` match and
  ``4,12`` matches ``4.12``. Integers under 10 and capitalised function words are ignored; a
  word capitalised only at the start of sentences is not a name.
- **Dutch tokens** (the rest): content words of the Dutch text (4+ letters, no stopwords),
  the same for every outlet whatever the translation does.

Articles are merged by average linkage while the average similarity between two clusters is
at least ``nightly.group_threshold`` (0.25, measured on the Dutch side alone: in the project's
samples the two reports of one dike breach score 0.60 and the follow-up 0.32–0.34, unrelated
articles stay under 0.08; in the seed articles the two reports of one missile strike score
0.32 while other articles on the same conflict stay under 0.18). Groups whose closest
articles score at least ``nightly.related_threshold`` (0.10) are listed as related coverage
of each other. Lexical overlap cannot tell "a follow-up" from "the same conflict": related
links are a reading aid, not a claim.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.text.matching import Matcher, TextIndex, is_part_of_name
from pipeline.text.names import STOPWORDS, find_names
from pipeline.text.numbers import canonical_number, parse_digits

__all__ = ["STOPWORDS", "Features", "Group", "GroupInput", "group_articles"]  # STOPWORDS: evidence

import numpy as np

from pipeline.grouping import clustering

ENTITY_WEIGHT = 0.6
MAX_KEY_ENTITIES = 8
MAX_RELATED = 3

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")



@dataclass(frozen=True)
class GroupInput:
    """One article as grouping sees it: its Dutch and English sentences."""

    id: str
    nl: Sequence[str]
    en: Sequence[str]


@dataclass(frozen=True)
class Features:
    """What one article is compared on."""

    entities: frozenset[str]
    tokens: frozenset[str]
    names: Counter = field(default_factory=Counter)  # display spans -> mentions


@dataclass
class Group:
    """One event: its articles (indices into the input, input order) and key entities."""

    members: list[int]
    entities: list[str] = field(default_factory=list)
    related: list[tuple[int, float]] = field(default_factory=list)  # (group index, score)
    cohesion: float = 1.0  # average pairwise similarity of the members


def normalise_number(raw: str) -> str | None:
    """``1.200``/``1,200`` -> ``1200``; ``4,12``/``4.12`` -> ``4.12``; integers below 10 -> None.

    Read by :func:`pipeline.text.numbers.parse_digits` (a separator followed by exactly
    three digits is a thousands separator in both languages).
    """
    value = parse_digits(raw)
    if value is None or (value == value.to_integral_value() and value < 10):
        return None  # small counts are everywhere; decimals are distinctive at any size
    return canonical_number(value)


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    return Matcher()  # the built-in alias table, loaded once


def features(nl: Sequence[str], en: Sequence[str]) -> Features:
    """The comparison features of one article (see the module docstring)."""
    names_nl, spans_nl = find_names(nl)
    names_en, _ = find_names(en)
    numbers = {f"#{n}" for text in (*nl, *en) for raw in _NUMBER.findall(text)
               if (n := normalise_number(raw)) is not None}
    tokens = {w.lower() for text in nl for w in _WORD.findall(text)
              if len(w) >= 4 and w.lower() not in STOPWORDS}
    # Names that survive translation are proper names; prefer them for display. "Survive"
    # is the shared matcher's answer (aliases, spelling variants): VS = US, Bagdad = Baghdad.
    english = TextIndex.of(" ".join(en), "en") if en else None
    shared = Counter({s: c for s, c in spans_nl.items()
                      if english is not None and _matcher().name_in(s, english)})
    return Features(entities=frozenset(names_nl | names_en | numbers), tokens=frozenset(tokens),
                    names=shared or spans_nl)


def similarity_matrix(items: Sequence[Features]) -> list[list[float]]:
    """Pairwise article similarity in [0, 1] (1 on the diagonal)."""
    rows = clustering.combined_rows([f.entities for f in items], [f.tokens for f in items],
                                    ENTITY_WEIGHT)
    return clustering.similarity_dense(rows).tolist()


def cluster(sims: list[list[float]], threshold: float) -> list[list[int]]:
    """Average-linkage clusters: merge while two clusters' average similarity >= threshold.

    Average (not single) linkage keeps a chain of loosely related stories from collapsing
    into one heading. See :mod:`pipeline.grouping.clustering` (scikit-learn).
    """
    return clustering.average_linkage(np.asarray(sims, dtype=float), threshold)


def key_entities(items: Sequence[Features], members: Sequence[int],
                 limit: int = MAX_KEY_ENTITIES) -> list[str]:
    """The names most members mention (then most often), for the digest."""
    articles: Counter = Counter()
    mentions: Counter = Counter()
    for index in members:
        for name, count in items[index].names.items():
            articles[name] += 1
            mentions[name] += count
    ranked = sorted(articles, key=lambda name: (-articles[name], -mentions[name], name))

    def contains(longer: str, shorter: str) -> bool:
        return is_part_of_name(shorter, longer)

    chosen: list[str] = []
    for name in ranked:
        if any(contains(other, name) for other in chosen):
            continue
        # The full form takes the place of a short one already chosen ("Verhoeven" becomes
        # "Marco Verhoeven"), keeping its rank.
        absorbed = [i for i, other in enumerate(chosen) if contains(name, other)]
        if absorbed:
            chosen[absorbed[0]] = name
            for i in reversed(absorbed[1:]):
                del chosen[i]
        elif len(chosen) < limit:
            chosen.append(name)
    return chosen


def group_articles(inputs: Sequence[GroupInput], *, threshold: float,
                   related_threshold: float) -> list[Group]:
    """Group articles by event; groups come in order of their first member.

    Args:
        inputs: the night's briefed articles.
        threshold: ``nightly.group_threshold``.
        related_threshold: ``nightly.related_threshold``.
    """
    items = [features(i.nl, i.en) for i in inputs]
    # Scoring and clustering run on sparse matrices (scikit-learn); spelling variants of
    # rare names ("Kaitab"/"Kataib") count as one name.
    rows = clustering.combined_rows(clustering.merge_variants([f.entities for f in items]),
                                    [f.tokens for f in items], ENTITY_WEIGHT)
    found = clustering.cluster_rows(rows, threshold=threshold,
                                    related_threshold=related_threshold, max_related=MAX_RELATED)
    return [Group(members=c.members, entities=key_entities(items, c.members),
                  cohesion=c.cohesion, related=c.related or []) for c in found]
