"""Entity mentions merged within a text, and whether an entity is found in another text.

The one implementation behind the evaluation's entity coverage, the claim check of
:mod:`pipeline.support` and the stories: "Qassem Soleimani ... Soleimani ... Qasem
Soleimani" is one :class:`Cluster` (:func:`cluster_mentions`), and :func:`found_in` says
whether a cluster occurs in an evidence text's words (any mention, any alias of it, a
spelling variant, or, for a person, the surname alone; a figure when every value it states
occurs), through the shared :mod:`pipeline.text.matching`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.text.aliases import AliasTable
from pipeline.text.entities import GROUPS, Entity
from pipeline.text.matching import Matcher, TextIndex
from pipeline.text.normalize import fold, mention_tokens
from pipeline.text.numbers import Atom, atoms_of

PERSON_LABELS = frozenset({"PERSON", "NAME"})  # NAME: the fallback cannot tell persons apart


@dataclass(frozen=True)
class Mention:
    """One entity mention, normalised for matching."""

    text: str
    label: str
    tokens: tuple[str, ...]
    key: tuple[str, ...]
    canon: str | None
    atoms: frozenset[Atom]

    @property
    def person_like(self) -> bool:
        """A full name whose trailing words may be used alone (``Soleimani``)."""
        return self.label in PERSON_LABELS and len(self.tokens) >= 2


@dataclass
class Cluster:
    """All mentions of one entity within one text."""

    group: str
    mentions: list[Mention] = field(default_factory=list)

    @property
    def display(self) -> str:
        """The fullest mention, as written (the first of the longest)."""
        return max(self.mentions, key=lambda m: len(m.tokens)).text


def to_mention(entity: Entity, aliases: AliasTable) -> Mention | None:
    """Normalise an extracted entity; None when nothing of it is left (punctuation only)."""
    tokens = mention_tokens(entity.text)
    if not tokens:
        return None
    atoms = atoms_of(entity.text, "en") if entity.group == "figures" else frozenset()
    canon = aliases.canonical(tokens) if entity.group == "named" else None
    return Mention(entity.text.strip(), entity.label, tokens, fold(tokens), canon, atoms)


def cluster_mentions(entities: list[Entity], aliases: AliasTable) -> dict[str, list[Cluster]]:
    """Merge the entity mentions of one text into distinct entities.

    Named mentions merge when their normalised names or alias-table entries agree,
    and a mention that is the trailing part of exactly one full name of a person in
    the same text ("Soleimani" after "Qassem Soleimani") joins that person. Figures
    merge when they state the same values (or, without values, the same words).

    Args:
        entities: the entities of one text, in text order.
        aliases: the alias table.

    Returns:
        ``{"named": [...], "figures": [...]}``, clusters in order of first mention.
    """
    result: dict[str, list[Cluster]] = {group: [] for group in GROUPS}
    index: dict[tuple[str, Any], Cluster] = {}
    for entity in entities:
        mention = to_mention(entity, aliases)
        if mention is None:
            continue
        if entity.group == "figures":
            identity: Any = mention.atoms or ("words", mention.key)
        else:
            identity = ("alias", mention.canon) if mention.canon else mention.key
        slot = (entity.group, identity)
        if slot not in index:
            index[slot] = Cluster(entity.group)
            result[entity.group].append(index[slot])
        index[slot].mentions.append(mention)
    result["named"] = _merge_surnames(result["named"])
    return result


def _merge_surnames(clusters: list[Cluster]) -> list[Cluster]:
    persons = [c for c in clusters if any(m.person_like for m in c.mentions)]
    kept = []
    merged: set[int] = set()
    for cluster in clusters:
        owners = [
            p for p in persons
            if p is not cluster and id(p) not in merged and any(
                _is_proper_suffix(m.key, full.key) for m in cluster.mentions
                for full in p.mentions if full.person_like)
        ]
        if len(owners) == 1:  # two Trumps in one text: leave "Trump" alone
            owners[0].mentions.extend(cluster.mentions)
            merged.add(id(cluster))
        else:
            kept.append(cluster)
    return kept


def _is_proper_suffix(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    return 0 < len(short) < len(full) and full[-len(short):] == short


def found_in(cluster: Cluster, evidence: TextIndex, aliases: AliasTable) -> bool:
    """Whether an entity occurs in a text, by the shared matcher
    (:mod:`pipeline.text.matching`).

    A named entity occurs when one of its mentions, an alias-table name of one of
    them, a spelling variant, or (for a person) a trailing part of the full name occurs
    as words in the text. A figure occurs when each of its values occurs in the text's
    figures; a figure without values (``last week``) occurs when its words do.

    Args:
        cluster: the entity.
        evidence: the indexed text.
        aliases: the alias table.

    Returns:
        True when found.
    """
    matcher = Matcher(aliases)
    for mention in cluster.mentions:
        if cluster.group == "figures" and mention.atoms:
            if evidence.contains_figure(mention.atoms):
                return True
            continue
        if cluster.group != "named":
            if evidence.contains_name(mention.tokens, fuzzy=False):
                return True
        elif matcher.name_in(mention.tokens, evidence, person=mention.person_like):
            return True
    return False
