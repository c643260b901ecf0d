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

import numpy as np

from pipeline.nightly import clustering

ENTITY_WEIGHT = 0.6
MAX_KEY_ENTITIES = 8
MAX_RELATED = 3

_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w’'-]*\w|[A-Z]{2,})"
_PARTICLE = r"(?:van|de|der|den|het|ter|ten|al|el|bin|von|du|da|la|le)"
_TITLE_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ][\w’'-]*"
_NAME_SPAN = re.compile(
    rf"(?<![\w-]){_NAME_WORD}(?:\s+{_NAME_WORD}|\s+(?:{_PARTICLE}\s+)+{_TITLE_WORD})*")
_NAME_TOKEN = re.compile(rf"(?<![\w-]){_NAME_WORD}")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_ADJECTIVE = re.compile(r"^[A-ZÀ-Þ][a-zà-ÿ]{2,}(?:se|sche)$")

_STOPWORD_TEXT = """
de het een en van in op te dat die is zijn was met voor aan er door bij om naar als ook niet
maar nog of uit dan dit al wel over tot zo zich wordt worden werd heeft hebben had moet kan
kunnen zou zouden zullen meer geen veel volgens na deze hun hij zij ze we wij ik je jij u haar
hem ons onze mijn men nu toen omdat want waar wat wie hoe welke alle andere tegen onder tussen
sinds zonder binnen daar hier dus toch ook even echter daarmee daarom daarna volgens zegt zei
aldus bovendien intussen inmiddels tijdens vooral verder eerder later jaar jaren procent
the a an and of in on to that is are was were be been with for at by from as it its this
these those not but or if then than so has have had will would can could may might must shall
should he she they we you i his her their our your my who which what when where why how all any
some no more most other into over under after before about between during since without within
also there here said says according however meanwhile mr mrs ms year years percent per cent
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei juni
juli augustus september oktober november december monday tuesday wednesday thursday friday
saturday sunday january february march april may june july august september october november
december beeld foto
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


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

    A separator followed by exactly three digits is a thousands separator in both languages.
    """
    parts = re.split(r"[.,]", raw)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
        value = "".join(parts)
    elif len(parts) == 2:
        value = f"{parts[0]}.{parts[1]}"
    else:
        value = "".join(parts)
    if "." not in value:
        value = value.lstrip("0") or "0"
        return value if int(value) >= 10 else None  # small counts are everywhere
    whole, fraction = value.split(".")
    return f"{whole.lstrip('0') or '0'}.{fraction}"  # decimals are distinctive at any size


def _clause_initial(sentence: str, start: int) -> bool:
    before = sentence[:start].rstrip()
    return not before or before[-1] in ".!?…\"'“‘(«:–—-"


def _names(sentences: Sequence[str]) -> tuple[set[str], Counter]:
    """Lower-cased name tokens and display spans.

    A capitalised word that opens a sentence or a quote only counts when the article also
    capitalises it elsewhere ("Nee", "Bij" do not; "Kruiningen" does).
    """
    mid: set[str] = set()
    for sentence in sentences:
        for match in _NAME_TOKEN.finditer(sentence):
            word = match.group(0).lower()
            if word not in STOPWORDS and len(word) > 1 and not _clause_initial(sentence,
                                                                               match.start()):
                mid.add(word)
    spans: Counter = Counter()
    for sentence in sentences:
        for match in _NAME_SPAN.finditer(sentence):
            words = match.group(0).split()
            if _clause_initial(sentence, match.start()) and words[0].lower() not in mid:
                words = words[1:]
            while words and words[0].lower() in STOPWORDS:
                words = words[1:]
            if words:
                spans[" ".join(words)] += 1
    # A Dutch adjective of place is not part of a name ("Zeeuwse Kruiningen" is Kruiningen)
    # unless the rest never stands alone ("Islamitische Staat"); on its own it is no name.
    for span in [s for s in spans if _ADJECTIVE.match(s.split()[0])]:
        rest = span.split(" ", 1)[1] if " " in span else ""
        if not rest or rest in spans:
            count = spans.pop(span)
            if rest:
                spans[rest] += count
    return mid, spans


def features(nl: Sequence[str], en: Sequence[str]) -> Features:
    """The comparison features of one article (see the module docstring)."""
    names_nl, spans_nl = _names(nl)
    names_en, spans_en = _names(en)
    numbers = {f"#{n}" for text in (*nl, *en) for raw in _NUMBER.findall(text)
               if (n := normalise_number(raw)) is not None}
    tokens = {w.lower() for text in nl for w in _WORD.findall(text)
              if len(w) >= 4 and w.lower() not in STOPWORDS}
    # Names that survive translation are proper names; prefer them for display.
    english_lower = " ".join(en).lower()
    shared = Counter({s: c for s, c in spans_nl.items() if s.lower() in english_lower})
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
    into one heading. See :mod:`pipeline.nightly.clustering` (scikit-learn).
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
        return longer != shorter and f" {shorter} " in f" {longer} "

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
