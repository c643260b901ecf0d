"""Stories from a set of briefings: one story of all of them, or one per event."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pipeline.record.story import Story
from pipeline.story.build import (
    Member,
    build_story,
    load_parser,
    load_summarizer,
    story_summaries,
)
from pipeline.support.claims import SupportChecker


def event_name(members: Sequence[Member], entities: Sequence[str] = (), *, fallback: str) -> str:
    """A file-safe name for an event: its key entities, else ``fallback``."""
    words = "-".join(entities[:3]) if entities else ""
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def group_members(members: Sequence[Member], config: Any) -> list[tuple[str, list[Member]]]:
    """The nightly's grouping of ``members`` by event: ``(event name, members)`` per group."""
    from pipeline.grouping.articles import GroupInput, group_articles

    inputs = [GroupInput(m.briefing.id, [s.nl or "" for s in m.briefing.sentences],
                         [s.en for s in m.briefing.sentences]) for m in members]
    groups = group_articles(inputs, threshold=config.nightly.group_threshold,
                            related_threshold=config.nightly.related_threshold)
    named: list[tuple[str, list[Member]]] = []
    used: set[str] = set()
    for number, group in enumerate(groups, start=1):
        name = event_name(members, group.entities, fallback=f"event-{number}")
        if name in used:
            name = f"{name}-{number}"
        used.add(name)
        named.append((name, [members[i] for i in group.members]))
    return named


def make_stories(members: Sequence[Member], config: Any, *, group: bool = False,
                 with_briefing: bool = True) -> list[Story]:
    """The story of ``members`` (one event), or with ``group`` one story per event of two
    or more articles.

    Raises:
        StoryError: the parser for figures cannot be loaded.
        ModelUnavailableError: the summarizer is needed and missing.
    """
    if group:
        events = [(name, ms) for name, ms in group_members(members, config) if len(ms) >= 2]
    else:
        events = [(event_name(members, fallback="story"), list(members))]
    if not events:
        return []
    nlp = load_parser()
    checker = SupportChecker()
    summarizer = load_summarizer(config) if with_briefing else None
    # Every story briefing in one batched summarizer call.
    summaries = story_summaries([ms for _, ms in events], summarizer) if summarizer \
        else [None] * len(events)
    return [build_story(ms, event=name, nlp=nlp, checker=checker, summarizer=summarizer,
                        summary=summary) for (name, ms), summary in zip(events, summaries,
                                                                         strict=True)]
