"""What a batch did, whatever the engine: :class:`BatchResult` for the code, ``run.json``
(:class:`RunRecord`, written only by :func:`write_run_record`) for the reader, and the
closing line a person reads (:func:`closing_line`).

Every engine records the same fields; what only one engine knows (the Ray cluster's
address, its actors and nodes) goes in the one ``engine`` slot.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core.config import AppConfig
from pipeline.core.errors import ArticleError, count_reasons, is_environment_error
from pipeline.core.exit_codes import ExitCode
from pipeline.core.fileio import atomic_write_json
from pipeline.core.provenance import git_commit, package_versions

ERRORS_FILE = "errors.jsonl"
DIGEST_FILE = "digest.md"
RUN_FILE = "run.json"


@dataclass
class BatchResult:
    """What a batch did.

    Attributes:
        seconds: local: briefing, from the first article to the last; Ray: from joining the
            cluster to the end (the actors load their models inside it).
        load_seconds: seconds loading the models before the first article; None on Ray,
            where each actor loads its own (``engine_details()["load_seconds"]``).
        skipped: articles skipped because their output was already complete.
        models, translation_stats: the loaded models' provenance and the translator's
            counters; None when no model was loaded.
    """

    out_dir: Path
    briefed: list[str] = field(default_factory=list)
    failed: list[ArticleError] = field(default_factory=list)
    seconds: float = 0.0
    load_seconds: float | None = 0.0
    aborted: OSError | None = None
    started_at: str = ""
    skipped: int = 0
    models: dict | None = None
    translation_stats: dict | None = None

    @property
    def exit_code(self) -> ExitCode:
        """0 when every article was briefed, 1 when some failed."""
        return ExitCode.PARTIAL if self.failed else ExitCode.OK

    def engine_details(self) -> dict[str, Any]:
        """What only this engine records (``run.json`` → ``engine``)."""
        return {"name": "local"}

    def where(self) -> str:
        """Where the articles were briefed, for the closing line ("" for this process)."""
        return ""


@dataclass
class RunRecord:
    """``run.json``: the same fields for every engine, engine-specific ones in ``engine``."""

    engine: dict[str, Any]
    complete: bool
    aborted: str | None
    started: str
    seconds: float
    load_seconds: float | None
    briefed: int
    failed: int
    skipped_complete: int
    failures_by_reason: dict[str, int]
    throughput: dict[str, float | None]
    models: dict | None  # None: no model was loaded (nothing to brief)
    translation_stats: dict | None
    config: dict
    versions: dict
    git_commit: str | None

    @classmethod
    def of(cls, result: BatchResult, config: AppConfig) -> RunRecord:
        """The record of ``result``, run with ``config``."""
        aborted = result.aborted
        minutes = result.seconds / 60
        return cls(
            engine=result.engine_details(),
            complete=aborted is None,
            aborted=None if aborted is None else
            f"{aborted.strerror or aborted} ({aborted.filename or 'output'})",
            started=result.started_at,
            seconds=round(result.seconds, 3),
            load_seconds=None if result.load_seconds is None else round(result.load_seconds, 3),
            briefed=len(result.briefed),
            failed=len(result.failed),
            skipped_complete=result.skipped,
            failures_by_reason=count_reasons(e.reason for e in result.failed),
            throughput={"articles_per_minute":
                        round(len(result.briefed) / minutes, 2) if minutes > 0 else None},
            models=result.models,
            translation_stats=result.translation_stats,
            config=config.model_dump(mode="json"),
            versions=package_versions(),
            git_commit=git_commit(),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``run.json``."""
        return dataclasses.asdict(self)


def write_run_record(result: BatchResult, config: AppConfig) -> Path:
    """Write ``run.json`` (atomically) into the batch's output folder."""
    path = Path(result.out_dir) / RUN_FILE
    atomic_write_json(path, RunRecord.of(result, config).to_dict())
    return path


def record_environment_failure(result: BatchResult, exc: OSError) -> None:
    """Note on ``result`` that the environment failed (a full disk, a read-only file
    system): the batch stops there. Any other error is raised again at once."""
    if not is_environment_error(exc):
        raise exc
    if result.aborted is None:
        result.aborted = exc


def finish_run(result: BatchResult, config: AppConfig, write_outputs: Callable[[], None]
               ) -> None:
    """Write the run files: ``write_outputs`` (``errors.jsonl``, ``digest.md``, …), then
    ``run.json``.

    When the environment failed, during the batch (``result.aborted``) or here, ``run.json``
    records it (``"complete": false``, the cause in ``aborted``) as far as the disk allows,
    and the failure is raised once.
    """
    try:
        if result.aborted is None:
            write_outputs()
        else:  # a full disk may still take the small files; if not, run.json is tried
            try:
                write_outputs()
            except OSError as exc:
                if not is_environment_error(exc):
                    raise
        write_run_record(result, config)
    except OSError as exc:
        record_environment_failure(result, exc)
        if result.aborted is exc:  # this write failed first: the record says so if it can
            with contextlib.suppress(OSError):
                write_run_record(result, config)
    if result.aborted is not None:
        raise result.aborted


def closing_line(result: BatchResult) -> str:
    """The one line a person reads when a batch ends."""
    out = result.out_dir
    total = len(result.briefed) + len(result.failed)
    line = (f"Briefed {len(result.briefed)} of {total} article(s) into {out}{result.where()} "
            f"in {result.seconds:.1f}s")
    if result.load_seconds:  # the progress lines count from before the models loaded
        line += f" (after {result.load_seconds:.1f}s loading the models)"
    if result.skipped:
        line += f"; {result.skipped} already complete, skipped"
    if result.failed:
        line += f"; {len(result.failed)} failed (see {Path(out) / ERRORS_FILE})"
    return line
