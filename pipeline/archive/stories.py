"""Story continuity: an event that continues an event of an earlier night links to it.

Two events of different nights are one story when their articles would have been one event
had they come in on the same night: the average similarity over all pairs of their articles
reaches the later night's ``group_threshold`` (the grouping's own measure and threshold, see
:mod:`pipeline.grouping.articles`; IDF over the later night and the nights it looks back on).
A later event continues the best-scoring earlier one within :data:`LOOKBACK_DAYS`; chains of
such links are a story, which gets a page once it spans two nights or more.

A night's links depend only on it and the nights it looks back on, so they are kept in a
cache with a fingerprint of those nights' digests and recomputed only when one changed; the
articles' features are cached too. A nightly run therefore compares tonight with its window,
not the whole archive with itself.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from pipeline.archive.collect import ArticleRecord, Night
from pipeline.grouping import clustering
from pipeline.grouping.articles import ENTITY_WEIGHT, features

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


@dataclass
class StoryCache:
    """What can be reused between builds: per night, its links and their fingerprint, and
    its articles' features with the stamp of the JSON they came from (one file per night
    under ``folder``, read only when that night is compared)."""

    folder: Path | None = None
    links: dict[str, dict] = field(default_factory=dict)
    features: dict[str, dict[str, dict]] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)
    computed: list[str] = field(default_factory=list)  # nights whose links were recomputed

    def night_features(self, night: str) -> dict[str, dict]:
        """The cached features of one night's articles (read from disk on first use)."""
        if night not in self.features:
            loaded: dict = {}
            if self.folder is not None:
                try:
                    loaded = json.loads((self.folder / f"{night}.json").read_text("utf-8"))
                except (OSError, ValueError):
                    loaded = {}  # no cache yet, or a damaged one: recomputed
            self.features[night] = loaded if isinstance(loaded, dict) else {}
        return self.features[night]


def _article_features(record: ArticleRecord, cache: StoryCache) -> tuple[frozenset, frozenset]:
    cached = cache.night_features(record.night).get(record.id)
    if cached and cached.get("stamp") == record.stamp and record.stamp:
        return frozenset(cached["entities"]), frozenset(cached["tokens"])
    sentences = record.briefing.sentences if record.briefing is not None else []
    nl = [s.nl or s.en for s in sentences]
    en = [s.en for s in sentences]
    if not sentences:  # the article JSON is gone: the digest's briefing is all there is
        en = [record.entry.get("briefing_en") or "", record.entry.get("title_en") or ""]
        nl = list(en)
    found = features(nl, en)
    cache.dirty.add(record.night)
    cache.features[record.night][record.id] = {
        "stamp": record.stamp, "entities": sorted(found.entities), "tokens": sorted(found.tokens)}
    return found.entities, found.tokens


def _events(night: Night, cache: StoryCache) -> list[tuple[EventKey, frozenset, frozenset]]:
    by_id = {a.id: a for a in night.articles}
    found = []
    for group in night.digest.get("groups") or []:
        for article_id in group.get("articles") or []:
            if article_id in by_id:
                entities, tokens = _article_features(by_id[article_id], cache)
                found.append(((night.date, group["id"]), entities, tokens))
    return found


def _threshold(night: Night) -> float:
    value = (night.digest.get("settings") or {}).get("group_threshold")
    return float(value) if value else DEFAULT_THRESHOLD


def _night_links(night: Night, window: list[Night], cache: StoryCache) -> list[list]:
    """``[[event, earlier night, earlier event, score], ...]`` for one night."""
    later = _events(night, cache)
    earlier = [item for other in window for item in _events(other, cache)]
    if not later or not earlier:
        return []
    items = later + earlier
    rows = clustering.combined_rows(clustering.merge_variants([e for _, e, _ in items]),
                                    [t for _, _, t in items], ENTITY_WEIGHT)
    tonight, before = rows[:len(later)], rows[len(later):]
    threshold = _threshold(night)
    cross = (tonight @ before.T).tocoo()
    candidates = {(later[i][0], earlier[j][0])
                  for i, j, v in zip(cross.row, cross.col, cross.data, strict=True)
                  if v >= threshold - 1e-9}
    index: dict[EventKey, list[int]] = defaultdict(list)
    for position, (owner, _, _) in enumerate(later):
        index[owner].append(position)
    for position, (owner, _, _) in enumerate(earlier):
        index[owner].append(len(later) + position)
    best: dict[EventKey, tuple[float, EventKey]] = {}
    for mine, theirs in sorted(candidates):
        a, b = rows[index[mine]], rows[index[theirs]]
        score = float(np.clip((a @ b.T).toarray(), 0, 1).mean())
        if score >= threshold - 1e-9 and (mine not in best or (score, theirs) > best[mine]):
            best[mine] = (score, theirs)
    return [[mine[1], theirs[0], theirs[1], round(score, 3)]
            for mine, (score, theirs) in sorted(best.items())]


def link_stories(nights: list[Night], cache: StoryCache | None = None) -> Stories:
    """Find which events continue which (``nights`` oldest first); ``cache`` is updated."""
    cache = cache if cache is not None else StoryCache()
    stories = Stories()
    for position, night in enumerate(nights):
        window = [other for other in nights[:position]
                  if 0 < _days(other.date, night.date) <= LOOKBACK_DAYS]
        fingerprint = hashlib.sha256(json.dumps(
            [LOOKBACK_DAYS, night.date, night.stamp, [(o.date, o.stamp) for o in window]]
        ).encode()).hexdigest()
        cached = cache.links.get(night.date)
        if not (cached and cached.get("fingerprint") == fingerprint and night.stamp):
            cached = {"fingerprint": fingerprint, "links": _night_links(night, window, cache)}
            cache.links[night.date] = cached
            cache.computed.append(night.date)
        for event, earlier_night, earlier_event, score in cached["links"]:
            stories.continues[(night.date, event)] = ((earlier_night, earlier_event), score)
    known = {n.date for n in nights}
    for stale in [d for d in cache.links if d not in known]:
        del cache.links[stale]
        cache.features.pop(stale, None)
        cache.dirty.discard(stale)
    for later, (earlier, _) in sorted(stories.continues.items()):
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
