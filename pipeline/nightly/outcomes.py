"""The vocabulary of the nightly state: article statuses, outcome kinds and the retry policy.

A failure is retried on a later run only when running again can change it: a model error,
a run that stopped while briefing the article, a page or file that could not be read. A
failure that follows from the article itself (not Dutch, too short, empty, binary, …) comes
out the same every time: it is recorded once and tried again only when the article changes
or ``--reprocess`` asks for it.
"""

from __future__ import annotations

from enum import StrEnum


class ArticleStatus(StrEnum):
    """Where one article key stands (``nightly_articles.status``)."""

    PENDING = "pending"
    """Registered with its content, not yet finished (an interrupted run leaves these)."""
    DONE = "done"
    FAILED = "failed"


class OutcomeKind(StrEnum):
    """Why an article was processed in a run (``nightly_outcomes.kind``)."""

    NEW = "new"
    CHANGED = "changed"
    RETRIED = "retried"
    RESUMED = "resumed"
    REPROCESSED = "reprocessed"


RETRYABLE_REASONS = frozenset({
    "model-error",     # the model raised: memory, a backend hiccup
    "crashed",         # the run died while briefing it
    "fetch-failed",    # the page could not be fetched
    "unreadable",      # a file could not be read (permissions, a disk)
    "output-missing",  # the briefing file vanished after it was recorded
})


def is_retryable(reason: str | None) -> bool:
    """Whether a failure with this reason may turn out differently on another run."""
    return reason in RETRYABLE_REASONS
