"""The night's stories: one ``story-<event>.json`` for every event of two or more articles.

The digest is rebuilt on every run, and so would the stories be; a story is only made
again when its articles changed (the hash of their briefing files is kept in the story),
so a re-run costs no model time. A story file of an event that no longer exists is removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.core.errors import StoryFormatError
from pipeline.core.fileio import atomic_write_text
from pipeline.record.briefing import read_briefing
from pipeline.record.story import read_story

log = logging.getLogger(__name__)
STORY_GLOB = "story-*.json"


def story_path(night_dir: Path, event: str) -> Path:
    """Where the story of ``event`` is written."""
    return night_dir / f"story-{event}.json"


def _inputs_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _holds_a_story(path: Path) -> bool:
    """Whether ``path`` is a story file (by its content: only stories are removed)."""
    from pipeline.core.errors import JsonInputError
    from pipeline.ingest.jsonio import read_json_file
    from pipeline.record.story import is_story_record

    try:
        return is_story_record(read_json_file(path, max_bytes=64 * 1024 * 1024))
    except (OSError, JsonInputError):
        return False


class NightStories:
    """Makes (or reuses) the story of each multi-article event of a night.

    Args:
        night_dir: where the story files go.
        summarizer: returns the summarizer when a story briefing must be made; None makes
            stories without a briefing (a rebuilt past night with no models loaded).
    """

    def __init__(self, night_dir: Path, summarizer: Callable[[], Any] | None = None):
        self.night_dir = night_dir
        self._summarizer = summarizer
        self._nlp: Any = None
        self._loaded: Any = None  # the summarizer, asked for once a night
        self._checker: Any = None
        self.made = 0
        self.reused = 0

    def __call__(self, groups: list[dict], paths: dict[str, Path],
                 outlets: dict[str, str]) -> dict[str, dict]:
        """The story dict of every group with two or more articles, by group id.

        The story briefings of the stories made again are generated together, in one
        batched summarizer call, as a night's article summaries are.

        Args:
            groups: the digest's groups (``id``, ``articles``).
            paths: article id -> its briefing JSON file.
            outlets: article id -> the outlet shown for it.
        """
        found: dict[str, dict] = {}
        pending: list[tuple[str, list, str]] = []  # (group id, members, inputs hash)
        for group in groups:
            ids = [i for i in group["articles"] if i in paths]
            if len(ids) < 2:
                continue
            try:
                files = [paths[i] for i in ids]
                inputs = _inputs_hash(files)
                old = self._reusable(group["id"], inputs)
                if old is not None:
                    found[group["id"]] = old
                    continue
                pending.append((group["id"], self._members(ids, files, outlets), inputs))
            except (OSError, ValueError) as err:  # a member unreadable: no story, the digest goes on
                log.warning("no story for %s: %s", group["id"], err)
        summaries = self._summaries([members for _, members, _ in pending])
        for (event, members, inputs), summary in zip(pending, summaries, strict=True):
            try:
                found[event] = self._story(event, members, inputs, summary)
            except (OSError, ValueError) as err:
                log.warning("no story for %s: %s", event, err)
        keep = {story_path(self.night_dir, g).name for g in found}
        for stale in self.night_dir.glob(STORY_GLOB) if self.night_dir.is_dir() else ():
            if stale.name not in keep and _holds_a_story(stale):
                stale.unlink(missing_ok=True)
        return found

    def _reusable(self, event: str, inputs: str) -> dict | None:
        """The story written for the same articles (with a briefing when one is wanted)."""
        target = story_path(self.night_dir, event)
        if not target.is_file():
            return None
        try:
            old = read_story(target)
        except StoryFormatError:
            return None
        if old.inputs == inputs and (bool(old.briefing) or self._summarizer is None):
            self.reused += 1
            return old.to_dict() | {"file": target.name}
        return None

    @staticmethod
    def _members(ids: list[str], files: list[Path], outlets: dict[str, str]) -> list:
        from pipeline.story.build import Member

        return [Member(read_briefing(path), outlets.get(i, i))
                for i, path in zip(ids, files, strict=True)]

    def _summaries(self, events: list[list]) -> list[list[str] | None]:
        """Every event's story briefing sentences in one batched call; None per event (each
        then made on its own) when there is no summarizer or the batch fails."""
        if self._summarizer is None or not events:
            return [None] * len(events)
        from pipeline.core.errors import GenerationError
        from pipeline.story.build import story_summaries

        try:
            return list(story_summaries(events, self._summarizer_once()))
        except (GenerationError, ValueError) as err:
            log.warning("story briefings made one by one: %s", err)
            return [None] * len(events)

    def _summarizer_once(self) -> Any:
        if self._loaded is None:
            self._loaded = self._summarizer()
        return self._loaded

    def _story(self, event: str, members: list, inputs: str,
               summary: list[str] | None) -> dict:
        from pipeline.story.build import build_story, load_parser
        from pipeline.support.claims import SupportChecker

        if self._nlp is None:
            self._nlp, self._checker = load_parser(), SupportChecker()
        story = build_story(members, event=event, nlp=self._nlp, checker=self._checker,
                            summarizer=self._summarizer_once() if self._summarizer else None,
                            summary=summary)
        story.inputs = inputs
        data = story.to_dict()
        target = story_path(self.night_dir, event)
        self.night_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        self.made += 1
        return data | {"file": target.name}
