"""Tonight's plan: compare what the sources offer with what the state knows.

Pure logic, no I/O: given a candidate and the state's record of its key, decide what to do.

==========================  =======================================================
state of the key            the source offers the same content / other content
==========================  =======================================================
unknown                     new
done                        unchanged (skipped) / changed
failed, can change, left    retried (from the stored article) / changed
failed, attempts used up    exhausted (skipped, listed) / changed
failed, cannot change       unchanged (recorded once; see ``outcomes``) / changed
pending (run interrupted)   resumed (from the stored article) / changed
==========================  =======================================================

"Can change" is :func:`pipeline.nightly.outcomes.is_retryable`: a model error or an
unreachable page is retried; "not Dutch" or "too short" comes out the same every night.

An entry of a malformed feed (:attr:`Candidate.partial`) may be cut off: it adds new
articles but never replaces one the state already has content for ("kept").

A source that cannot be read for a key the state already has content for leaves the stored
state alone ("kept"): a flaky fetch never turns a good briefing into a failure. A key that
never had readable content is recorded as failed and retried like any other failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.core.fileio import file_stem
from pipeline.nightly.outcomes import is_retryable
from pipeline.nightly.sources import Candidate, content_hash
from pipeline.nightly.state import DONE, FAILED, PENDING, Known, Registration, key_id

RESERVED_FILE_IDS = {"digest", "index", "run", "errors"}
STORY_FILE_PREFIX = "story-"  # story-<event>.json (pipeline.nightly.stories)


@dataclass
class Plan:
    """What one run will do before processing."""

    register: list[Registration] = field(default_factory=list)
    read_failures: list[tuple[Candidate, str]] = field(default_factory=list)  # (cand., kind)
    unchanged: list[str] = field(default_factory=list)
    exhausted: list[Known] = field(default_factory=list)
    kept: list[Candidate] = field(default_factory=list)
    duplicates: list[Candidate] = field(default_factory=list)
    seen: int = 0

    def count(self, kind: str) -> int:
        """Registrations of one kind (new, changed, retried)."""
        return sum(1 for r in self.register if r.kind == kind)


def needs_fetch(candidate: Candidate, known: Known | None, max_attempts: int) -> bool:
    """Whether a teaser's page must be fetched: not when the state already has this version
    done, or has given up on it."""
    if candidate.fetch_url is None:
        return False
    if known is None or candidate.stamp is None or known.stamp != candidate.stamp:
        return True
    if known.status == DONE:
        return False
    return not (known.status == FAILED and _final(known, max_attempts))


def _final(known: Known, max_attempts: int) -> bool:
    # A failure that will not be retried: attempts used up, or one that cannot change.
    return known.attempts >= max_attempts or not is_retryable(known.last_reason)


def classify(candidate: Candidate, known: Known | None, max_attempts: int) -> str:
    """One of: new, changed, retried, unchanged, exhausted, waiting (already pending or due a
    retry from the stored article), kept, fail-new, fail-retried.

    ``candidate`` must be resolved (no pending fetch), except when :func:`needs_fetch` said no.
    """
    if candidate.fetch_url is not None:  # known version, not refetched
        assert known is not None
        if known.status != DONE and known.attempts >= max_attempts:
            return "exhausted"
        return "unchanged"  # done, or failed in a way that cannot change
    if candidate.error is not None:
        if known is None:
            return "fail-new"
        if known.content_hash is not None:
            return "kept"
        if known.status == FAILED and known.attempts >= max_attempts:
            return "exhausted"
        if (known.status == FAILED and not is_retryable(known.last_reason)
                and candidate.error.reason == known.last_reason):
            return "unchanged"  # read the same way again: recorded once
        return "fail-retried"
    assert candidate.article is not None
    if known is None:
        return "new"
    same = known.content_hash == content_hash(candidate.article)
    if candidate.partial and known.content_hash is not None and not same:
        return "kept"  # perhaps cut off: never replaces what the state has
    if known.status == DONE:
        return "unchanged" if same else "changed"
    if known.status == PENDING:
        return "waiting" if same else "changed"
    if known.content_hash is None:  # failed before its content could be read
        return "retried"
    if not same:
        return "changed"
    if not is_retryable(known.last_reason):
        return "unchanged"
    return "waiting" if known.attempts < max_attempts else "exhausted"


class Planner:
    """Builds a :class:`Plan` from candidates, one at a time.

    Args:
        snapshot: the state's records (key -> :class:`Known`).
        file_ids: output file ids already in use (new keys get unused ones).
        max_attempts: ``nightly.max_attempts``.
    """

    def __init__(self, snapshot: dict[str, Known], file_ids: set[str], max_attempts: int):
        self.snapshot = snapshot
        self.used_file_ids = set(file_ids)
        self.max_attempts = max_attempts
        self.new_file_ids: dict[str, str] = {}
        self.plan = Plan()
        self._seen: set[str] = set()

    def add(self, candidate: Candidate) -> str:
        """Place one (resolved) candidate in the plan; returns its classification."""
        if candidate.key in self._seen:
            self.plan.duplicates.append(candidate)
            return "duplicate"
        self._seen.add(candidate.key)
        self.plan.seen += 1
        known = self.snapshot.get(candidate.key)
        action = classify(candidate, known, self.max_attempts)
        if action == "unchanged":
            self.plan.unchanged.append(candidate.key)
        elif action == "exhausted":
            assert known is not None
            self.plan.exhausted.append(known)
        elif action == "kept":
            self.plan.kept.append(candidate)
        elif action in ("fail-new", "fail-retried"):
            if known is None:
                self._assign_file_id(candidate)
            self.plan.read_failures.append((candidate, action.removeprefix("fail-")))
        elif action in ("new", "changed", "retried"):
            article = candidate.article
            assert article is not None
            if known is None:
                self._assign_file_id(candidate)
            self.plan.register.append(Registration(
                key=candidate.key, kind=action, article=article, source=candidate.source,
                content_hash=content_hash(article), stamp=candidate.stamp, reset_attempts=True))
        # "waiting": the work list picks it up from the stored article.
        return action

    def _assign_file_id(self, candidate: Candidate) -> None:
        if candidate.article is not None:
            raw = candidate.article.id
        elif candidate.error is not None and candidate.error.article_id:
            raw = candidate.error.article_id
        else:
            raw = candidate.key.rsplit("/", 1)[-1]
        base = file_stem(raw)
        file_id = base
        # story-<event>.json are the night's stories: an article never takes such a name.
        if (file_id in self.used_file_ids or file_id.lower() in RESERVED_FILE_IDS
                or file_id.lower().startswith(STORY_FILE_PREFIX)):
            file_id = f"{base}-{key_id(candidate.key)[:8]}"
        self.used_file_ids.add(file_id)
        self.new_file_ids[candidate.key] = file_id
