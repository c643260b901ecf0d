"""Which teaser pages a run fetches: at most ``nightly.fetch_max_per_feed`` per feed and
``nightly.fetch_max_per_run`` in all, taken round-robin by host so that no host's long feed
crowds out the others (and no host gets every request in a row). Pure logic, no I/O.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.nightly.sources import Candidate

CAP_FEED = "fetch-cap-feed"
CAP_RUN = "fetch-cap-run"


@dataclass(frozen=True)
class Skipped:
    """A teaser whose page is not fetched tonight, and which cap it hit."""

    candidate: Candidate
    reason: str


def schedule(pending: list[Candidate], *, per_feed: int,
             per_run: int) -> tuple[list[Candidate], list[Skipped]]:
    """``(to fetch, in fetch order; skipped)`` for teasers in the order their feeds list them.

    Each feed keeps its first ``per_feed`` teasers; those are interleaved one host at a time
    (hosts in order of first appearance) and the first ``per_run`` of that order are fetched.
    """
    taken: Counter[str] = Counter()
    queues: dict[str, deque[Candidate]] = {}
    skipped: list[Skipped] = []
    for candidate in pending:
        if taken[candidate.source] >= per_feed:
            skipped.append(Skipped(candidate, CAP_FEED))
            continue
        taken[candidate.source] += 1
        queues.setdefault(_host(candidate), deque()).append(candidate)
    order: list[Candidate] = []
    while queues:
        for host in list(queues):
            queue = queues[host]
            order.append(queue.popleft())
            if not queue:
                del queues[host]
    skipped += [Skipped(candidate, CAP_RUN) for candidate in order[per_run:]]
    return order[:per_run], skipped


def _host(candidate: Candidate) -> str:
    try:
        return (urlsplit(candidate.fetch_url or "").hostname or "").lower()
    except ValueError:
        return ""
