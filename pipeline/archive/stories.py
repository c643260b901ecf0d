"""Story continuity: an event that continues an event of an earlier night links to it.

Two events of different nights are one story when their articles would have been one event
had they come in on the same night: the average similarity over all pairs of their articles
reaches the later night's ``group_threshold`` (the grouping's own measure and threshold,
see :mod:`pipeline.nightly.grouping`). A later event continues the best-scoring earlier one
within :data:`LOOKBACK_DAYS`; chains of such links are a story, which gets a page once it
spans two nights or more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from pipeline.archive.collect import Night
from pipeline.nightly import clustering
from pipeline.nightly.grouping import ENTITY_WEIGHT, features

LOOKBACK_DAYS = 30
DEFAULT_THRESHOLD = 0.25

EventKey = tuple[str, str]  # (night, event id)


@dataclass
class Stories:
    """The links between nights' events."""

    continues: dict[EventKey, tuple[EventKey, float]] = field(default_factory=dict)
    continued_by: dict[EventKey, list[EventKey]] = field(default_factory=dict)
    story_of: dict[EventKey, str] = field(default_factory=dict)
    members: dict[str, list[EventKey]] = field(default_factory=dict)  # story -> events by night


def _article_features(record) -> tuple[frozenset, frozenset]:
    sentences = (record.data or {}).get("sentences") or []
    nl = [s.get("nl") or s.get("en") or "" for s in sentences]
    en = [s.get("en") or "" for s in sentences]
    if not sentences:  # the article JSON is gone: the digest's briefing is all there is
        en = [record.entry.get("briefing_en") or "", record.entry.get("title_en") or ""]
        nl = list(en)
    found = features(nl, en)
    return found.entities, found.tokens


def link_stories(nights: list[Night]) -> Stories:
    """Find which events continue which (``nights`` oldest first)."""
    stories = Stories()
    owners: list[EventKey] = []
    entity_sets, token_sets = [], []
    for night in nights:
        by_id = {a.id: a for a in night.articles}
        for group in night.digest.get("groups") or []:
            for article_id in group.get("articles") or []:
                record = by_id.get(article_id)
                if record is None:
                    continue
                entities, tokens = _article_features(record)
                owners.append((night.date, group["id"]))
                entity_sets.append(entities)
                token_sets.append(tokens)
    if len(owners) < 2:
        return stories
    thresholds = {n.date: float((n.digest.get("settings") or {}).get("group_threshold")
                                or DEFAULT_THRESHOLD) for n in nights}
    rows = clustering.combined_rows(clustering.merge_variants(entity_sets), token_sets,
                                    ENTITY_WEIGHT)
    pairs = clustering.edges(rows, min(thresholds.values()))
    candidates: set[tuple[EventKey, EventKey]] = set()
    for i, j in zip(pairs.row.tolist(), pairs.col.tolist(), strict=True):
        later, earlier = owners[i], owners[j]
        if earlier[0] < later[0] and _days(earlier[0], later[0]) <= LOOKBACK_DAYS:
            candidates.add((later, earlier))
    members: dict[EventKey, list[int]] = defaultdict(list)
    for index, owner in enumerate(owners):
        members[owner].append(index)
    ordered = sorted(candidates)
    blocks = clustering.pair_blocks(rows, [np.asarray(members[a] + members[b])
                                           for a, b in ordered])
    best: dict[EventKey, tuple[EventKey, float]] = {}
    for (later, earlier), block in zip(ordered, blocks, strict=True):
        size = len(members[later])
        score = float(np.clip(block[:size, size:], 0, 1).mean())
        if score >= thresholds[later[0]] - 1e-9 and (
                later not in best or (score, earlier) > (best[later][1], best[later][0])):
            best[later] = (earlier, round(score, 3))
    stories.continues = best
    for later, (earlier, _) in sorted(best.items()):
        stories.continued_by.setdefault(earlier, []).append(later)
    _chain(stories)
    return stories


def _chain(stories: Stories) -> None:
    # Union-find over the links; a story is named after its first event.
    parent: dict[EventKey, EventKey] = {}

    def root(key: EventKey) -> EventKey:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    for later, (earlier, _) in stories.continues.items():
        a, b = root(later), root(earlier)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[EventKey, list[EventKey]] = defaultdict(list)
    for key in set(stories.continues) | {e for e, _ in stories.continues.values()}:
        groups[root(key)].append(key)
    for first, events in groups.items():
        story_id = f"{first[0]}-{first[1]}"
        stories.members[story_id] = sorted(events)
        for key in events:
            stories.story_of[key] = story_id


def _days(earlier: str, later: str) -> int:
    try:
        return (date.fromisoformat(later) - date.fromisoformat(earlier)).days
    except ValueError:
        return 0
