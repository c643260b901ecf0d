"""The plan step of every batch engine: each input id is briefed, skipped (its output is
already complete: a resumed run) or turned into a per-item error (an id reserved for the
run files, an id seen earlier in the batch, which would overwrite its output).

The engines differ only in how they walk their inputs: the local engine streams them, the
Ray engine sorts the read rows by input position first; both ask one :class:`IdPlan`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Literal

from pipeline.core.errors import ArticleError
from pipeline.core.fileio import file_stem
from pipeline.ingest.article import Article

RESERVED_IDS = frozenset({"run", "errors", "digest"})  # the stems of the run files
KEEP: Literal["keep"] = "keep"
COMPLETE: Literal["complete"] = "complete"
Decision = Literal["keep", "complete"] | ArticleError


class IdPlan:
    """What a batch does with each id, asked in input order (the first of an id wins).

    Args:
        is_complete: whether an id's output is already complete (a resumed run skips it);
            None: nothing is skipped.
    """

    def __init__(self, is_complete: Callable[[str], bool] | None = None):
        self._first: dict[str, str] = {}  # id -> origin of its first occurrence
        self._is_complete = is_complete
        self.skipped: list[str] = []  # ids skipped as complete, in input order

    def decide(self, article_id: str, origin: str) -> Decision:
        """:data:`KEEP` (brief it), :data:`COMPLETE` (skip it) or the item's error."""
        if file_stem(article_id).lower() in RESERVED_IDS:
            return ArticleError(f"{origin}: the id '{article_id}' is reserved for run files",
                                reason="reserved-id", origin=origin, article_id=article_id)
        if article_id in self._first:
            return ArticleError(
                f"{origin}: duplicate id '{article_id}' (first seen in "
                f"{self._first[article_id]}); it was not processed so that no output is "
                "overwritten",
                reason="duplicate-id", origin=origin, article_id=article_id)
        self._first[article_id] = origin
        if self._is_complete is not None and self._is_complete(article_id):
            self.skipped.append(article_id)
            return COMPLETE
        return KEEP


def plan_items(items: Iterable[Article | ArticleError], plan: IdPlan
               ) -> Iterator[Article | ArticleError]:
    """The items a streaming engine briefs: read errors pass through, each article is
    kept, dropped (complete) or replaced by its error, as ``plan`` decides."""
    for item in items:
        if isinstance(item, Article):
            decision = plan.decide(item.id, item.origin)
            if decision == COMPLETE:
                continue
            if isinstance(decision, ArticleError):
                yield decision
                continue
        yield item
