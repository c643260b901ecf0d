"""`briefing batch`: many articles in, one JSON per article, errors.jsonl and digest.md out."""

from __future__ import annotations

import itertools
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from pipeline.batch.digest_md import render_digest_md
from pipeline.batch.plan import RESERVED_IDS, IdPlan, plan_items
from pipeline.batch.record import (
    DIGEST_FILE,
    ERRORS_FILE,
    RUN_FILE,
    BatchResult,
    finish_run,
    record_environment_failure,
)
from pipeline.briefing.engine import BriefingEngine
from pipeline.core.config import AppConfig
from pipeline.core.errors import ArticleError, OutputExistsError, OutputNotWritableError
from pipeline.core.fileio import (
    append_jsonl,
    atomic_write_text,
    file_stem,
    remove_stale_temporaries,
)
from pipeline.ingest.article import Article
from pipeline.record.briefing import Briefing, read_briefing
from pipeline.record.briefing import write_briefing as write_briefing_file

__all__ = ["DIGEST_FILE", "ERRORS_FILE", "RESERVED_IDS", "RUN_FILE", "BatchResult",
           "OutputExistsError", "OutputNotWritableError", "check_output_dir", "is_complete",
           "output_path", "remove_previous_outputs", "run_batch", "write_briefing"]
log = logging.getLogger(__name__)


def output_path(out_dir: Path, article_id: str) -> Path:
    """Where an article's briefing goes: a capped, collision-free file name for its id."""
    return Path(out_dir) / f"{file_stem(article_id)}.json"


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
    items, anything_to_brief = _peek_for_article(plan_items(items, IdPlan()))
    load_seconds = 0.0
    if anything_to_brief:  # only read errors: no model is loaded
        log.info("loading the models")
        loading = time.perf_counter()
        engine.load_models()
        load_seconds = time.perf_counter() - loading
    if overwrite:
        removed = remove_previous_outputs(out_dir)
        log.info("removed %d output file(s) of the earlier run in %s", removed, out_dir)
    remove_stale_temporaries(out_dir)  # what a killed run's atomic writes left
    errors_path = out_dir / ERRORS_FILE
    errors_path.unlink(missing_ok=True)
    result = BatchResult(out_dir=out_dir, load_seconds=load_seconds,
                         started_at=datetime.now(UTC).isoformat(timespec="seconds"))
    started = time.perf_counter()
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
        record_environment_failure(result, exc)  # anything but the environment: raised
        log.error("writing outputs failed (%s); the batch stops here", exc)
    result.seconds = time.perf_counter() - started
    if engine.models_loaded:  # None: nothing was readable, so no model was loaded
        result.models = engine.model_provenance()
        result.translation_stats = dict(engine.translator.stats)

    def write_outputs() -> None:
        if not result.failed:
            errors_path.touch()  # an empty errors.jsonl says "nothing failed", not "not run"
        atomic_write_text(out_dir / DIGEST_FILE, render_digest_md(briefings, result.failed))

    finish_run(result, config, write_outputs)
    return result
