"""`briefing batch`: many articles in, one JSON per article, errors.jsonl and digest.md out."""

from __future__ import annotations

import errno
import itertools
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.batch.digest_md import render_digest_md
from pipeline.briefing.engine import BriefingEngine
from pipeline.core.config import AppConfig
from pipeline.core.errors import ArticleError, BriefingError
from pipeline.core.exit_codes import ExitCode
from pipeline.core.fileio import append_jsonl, atomic_write_json, atomic_write_text, file_stem
from pipeline.core.provenance import git_commit, package_versions
from pipeline.ingest.article import Article
from pipeline.record.briefing import Briefing, read_briefing
from pipeline.record.briefing import write_briefing as write_briefing_file

ERRORS_FILE = "errors.jsonl"
DIGEST_FILE = "digest.md"
RUN_FILE = "run.json"
RESERVED_IDS = {"run", "errors", "digest"}
# Write failures that are the machine's, not the article's: the batch stops cleanly.
ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO,
                                errno.ENAMETOOLONG, errno.EACCES, errno.EPERM})
log = logging.getLogger(__name__)


class OutputExistsError(BriefingError):
    """The output directory already holds briefings and overwriting was not allowed."""


class OutputNotWritableError(BriefingError):
    """The output directory cannot be created or written to."""


def output_path(out_dir: Path, article_id: str) -> Path:
    """Where an article's briefing goes: a capped, collision-free file name for its id."""
    return Path(out_dir) / f"{file_stem(article_id)}.json"


@dataclass
class BatchResult:
    """What a batch did."""

    out_dir: Path
    briefed: list[str] = field(default_factory=list)
    failed: list[ArticleError] = field(default_factory=list)
    seconds: float = 0.0  # briefing, from the first article to the last
    load_seconds: float = 0.0  # loading the models, before the first article
    aborted: OSError | None = None

    @property
    def exit_code(self) -> ExitCode:
        """0 when every article was briefed, 1 when some failed."""
        return ExitCode.PARTIAL if self.failed else ExitCode.OK


def _previous_outputs(out_dir: Path) -> list[Path]:
    if not out_dir.is_dir():
        return []
    return [p for p in out_dir.iterdir()
            if p.is_file() and (p.suffix == ".json" or p.name in (ERRORS_FILE, DIGEST_FILE))]


def check_output_dir(out_dir: Path, *, overwrite: bool) -> None:
    """Refuse to write into a directory that already holds briefings unless told to, and
    make sure it can be written to (before any model is loaded).

    Raises:
        OutputExistsError: earlier outputs exist and ``overwrite`` is False.
        OutputNotWritableError: the directory cannot be created or written to.
    """
    previous = _previous_outputs(out_dir)
    if previous and not overwrite:
        raise OutputExistsError(
            f"{out_dir} already holds {len(previous)} output file(s) from an earlier run; "
            "choose another output folder or allow overwriting them"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # Writing a probe is the only check that also holds for root and read-only mounts.
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".probe-", suffix=".tmp"):
            pass
    except OSError as exc:
        raise OutputNotWritableError(
            f"cannot write to the output directory {out_dir}: {exc.strerror or exc}") from None


def remove_previous_outputs(out_dir: Path) -> int:
    """Delete an earlier run's briefings and run files, so none is mistaken for this run's."""
    previous = _previous_outputs(out_dir)
    for path in previous:
        path.unlink(missing_ok=True)
    return len(previous)


def write_briefing(out_dir: Path, briefing: Briefing) -> Path:
    """Write one briefing atomically; a reader never sees half a file."""
    return write_briefing_file(output_path(out_dir, briefing.id), briefing)


def is_complete(path: Path) -> bool:
    """Whether ``path`` holds a whole briefing this version reads (so a resumed run may skip
    its article): read by :func:`read_briefing`, every field present and of its type."""
    try:
        read_briefing(path)
    except (OSError, ValueError):  # a BriefingFormatError is a ValueError
        return False
    return True


def _dedupe(items: Iterable[Article | ArticleError]) -> Iterable[Article | ArticleError]:
    """Turn repeated ids (which would overwrite each other's output) into errors."""
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, Article):
            if file_stem(item.id).lower() in RESERVED_IDS:
                yield ArticleError(f"{item.origin}: the id '{item.id}' is reserved for run files",
                                   reason="reserved-id", origin=item.origin, article_id=item.id)
                continue
            if item.id in seen:
                yield ArticleError(
                    f"{item.origin}: duplicate id '{item.id}' (first seen in {seen[item.id]}); "
                    "it was not processed so that no output is overwritten",
                    reason="duplicate-id", origin=item.origin, article_id=item.id,
                )
                continue
            seen[item.id] = item.origin
        yield item


def _peek_for_article(items: Iterable[Article | ArticleError]
                      ) -> tuple[Iterator[Article | ArticleError], bool]:
    """The same items, and whether any of them is an article (the read errors before the
    first article are held, nothing after it is read yet)."""
    items = iter(items)
    held: list[Article | ArticleError] = []
    for item in items:
        held.append(item)
        if isinstance(item, Article):
            return itertools.chain(held, items), True
    return iter(held), False


def run_batch(
    items: Iterable[Article | ArticleError],
    out_dir: Path,
    config: AppConfig,
    *,
    engine: BriefingEngine | None = None,
    overwrite: bool = False,
    on_result: Callable[[Briefing | ArticleError], None] | None = None,
) -> BatchResult:
    """Brief every article, writing each output as soon as it is ready.

    A write that fails because of the environment (disk full, read-only file system) ends
    the batch: what was done so far is recorded (``errors.jsonl``, ``run.json`` as far as
    the disk allows) and the error is raised once.

    Raises:
        OutputExistsError, OutputNotWritableError: see :func:`check_output_dir`.
        ModelUnavailableError: a model is missing (checked before any article is processed;
            no model is loaded when no input was readable).
        OSError: the environment failed while writing (after recording the run).
    """
    out_dir = Path(out_dir)
    check_output_dir(out_dir, overwrite=overwrite)
    engine = engine or BriefingEngine(config)
    items, anything_to_brief = _peek_for_article(_dedupe(items))
    load_seconds = 0.0
    if anything_to_brief:  # only read errors: no model is loaded
        log.info("loading the models")
        loading = time.perf_counter()
        engine.load_models()
        load_seconds = time.perf_counter() - loading
    if overwrite:
        removed = remove_previous_outputs(out_dir)
        log.info("removed %d output file(s) of the earlier run in %s", removed, out_dir)
    errors_path = out_dir / ERRORS_FILE
    errors_path.unlink(missing_ok=True)
    result = BatchResult(out_dir=out_dir, load_seconds=load_seconds)
    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    briefings: list[Briefing] = []
    try:
        for outcome in engine.run(items, on_result=on_result):
            if isinstance(outcome, ArticleError):
                log.info("failed: %s (%s)", outcome.article_id or outcome.origin, outcome.reason)
                append_jsonl(errors_path, outcome.to_record())
                result.failed.append(outcome)
            else:
                path = write_briefing(out_dir, outcome)
                log.info("briefed: %s -> %s", outcome.id, path.name)
                briefings.append(outcome)
                result.briefed.append(outcome.id)
    except OSError as exc:
        if exc.errno not in ENVIRONMENT_ERRNOS:
            raise
        log.error("writing outputs failed (%s); the batch stops here", exc)
        result.aborted = exc
    result.seconds = time.perf_counter() - started
    try:
        _write_run_files(out_dir, errors_path, result, briefings, started_at, engine, config)
    except OSError as exc:
        if exc.errno not in ENVIRONMENT_ERRNOS or result.aborted is None:
            raise
    if result.aborted is not None:
        raise result.aborted
    return result


def _write_run_files(out_dir: Path, errors_path: Path, result: BatchResult,
                     briefings: list[Briefing], started_at: str, engine: BriefingEngine,
                     config: AppConfig) -> None:
    if not result.failed:
        errors_path.touch()  # an empty errors.jsonl says "nothing failed", not "not run"
    atomic_write_text(out_dir / DIGEST_FILE, render_digest_md(briefings, result.failed))
    aborted = result.aborted
    atomic_write_json(out_dir / RUN_FILE, {
        "complete": aborted is None,
        "aborted": None if aborted is None else f"{aborted.strerror or aborted} "
                                                f"({aborted.filename or 'output'})",
        "started": started_at,
        "seconds": round(result.seconds, 3),
        "load_seconds": round(result.load_seconds, 3),
        "briefed": len(result.briefed),
        "failed": len(result.failed),
        "failures_by_reason": _count_reasons(result.failed),
        # None: nothing was readable, so no model was loaded.
        "models": engine.model_provenance() if engine.models_loaded else None,
        "translation_stats": engine.translator.stats if engine.models_loaded else None,
        "config": config.model_dump(mode="json"),
        "versions": package_versions(),
        "git_commit": git_commit(),
    })


def _count_reasons(errors: list[ArticleError]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for error in errors:
        counts[error.reason] = counts.get(error.reason, 0) + 1
    return counts
