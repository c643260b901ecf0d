"""The run summary: what one nightly run (or dry run) read, did and found.

A typed object for the code; :meth:`RunSummary.to_dict` is the JSON kept in ``digest.json``
(under ``run``) and in the state's ``nightly_runs`` table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

MAX_LISTED = 50  # keys listed per category in a summary


@dataclass
class RunSummary:
    """What one run did. Counts are articles; the lists hold at most :data:`MAX_LISTED`.

    Attributes:
        new, changed, retried, resumed, reprocessed: articles briefed (or tried) per reason.
        unchanged: articles seen again with nothing to do (done, or failed for good).
        failures_by_reason: this run's failures per reason, as a batch's ``run.json``
            counts them (None for a dry run, which does not know every reason).
        exhausted: failures with no attempts left (``exhausted_keys`` lists them).
        duplicates: keys offered twice tonight (the second is ignored).
        kept: keys whose source failed or was cut off tonight; their stored state is kept
            (``warnings`` says why).
        source_errors: sources not read at all; source_warnings: sources read only partly
            (a malformed feed). Both make the run exit 1.
        fetches: teaser pages fetched (a dry run: that would be); fetches_skipped: teaser
            pages left for a later night by ``nightly.fetch_max_per_feed``/``_per_run``
            (``fetches_skipped_keys`` lists them).
        durations: seconds per phase (collect_s, models_s, process_s, digest_s, total_s).
    """

    night: str
    run_id: int | None = None
    started_at: str | None = None
    dry_run: bool = False
    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    retried: int = 0
    resumed: int = 0
    reprocessed: int = 0
    done: int = 0
    failed: int = 0
    failures_by_reason: dict[str, int] | None = None
    exhausted: int = 0
    duplicates: int = 0
    kept: int = 0
    exhausted_keys: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    source_errors: list[dict] = field(default_factory=list)
    source_warnings: list[dict] = field(default_factory=list)
    fetches: int = 0
    fetches_skipped: int = 0
    fetches_skipped_keys: list[str] = field(default_factory=list)
    models_loaded: bool = False
    translation: dict | None = None
    durations: dict[str, float] = field(default_factory=dict)
    delivery: list[dict] | None = None  # one record per message sent (nightly.deliver)
    finished_at: str | None = None
    exit_code: int | None = None

    def count(self, kind: str) -> int:
        """The count named ``kind`` (``new``, ``done``, …)."""
        value = getattr(self, kind)
        assert isinstance(value, int), kind
        return value

    def add(self, kind: str, n: int = 1) -> None:
        """Add to the count named ``kind``."""
        setattr(self, kind, self.count(kind) + n)

    def to_dict(self) -> dict:
        """The JSON object (``digest.json`` → ``run``)."""
        return asdict(self)
