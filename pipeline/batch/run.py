"""`briefing batch`: many articles in, one JSON per article, errors.jsonl and digest.md out."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.batch.digest_md import render_digest_md
from pipeline.briefing.engine import BriefingEngine
from pipeline.briefing.schema import Briefing
from pipeline.core.config import AppConfig
from pipeline.core.errors import ArticleError, BriefingError
from pipeline.core.exit_codes import ExitCode
from pipeline.core.fileio import append_jsonl, atomic_write_json, atomic_write_text
from pipeline.core.provenance import git_commit, package_versions
from pipeline.ingest.article import Article

ERRORS_FILE = "errors.jsonl"
DIGEST_FILE = "digest.md"
RUN_FILE = "run.json"
RESERVED_IDS = {"run", "errors", "digest"}


class OutputExistsError(BriefingError):
    """The output directory already holds briefings and overwriting was not allowed."""


@dataclass
class BatchResult:
    """What a batch did."""

    out_dir: Path
    briefed: list[str] = field(default_factory=list)
    failed: list[ArticleError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> ExitCode:
        """0 when every article was briefed, 1 when some failed."""
        return ExitCode.PARTIAL if self.failed else ExitCode.OK


def check_output_dir(out_dir: Path, *, overwrite: bool) -> None:
    """Refuse to write into a directory that already holds briefings unless told to.

    Raises:
        OutputExistsError: earlier outputs exist and ``overwrite`` is False.
    """
    if not out_dir.exists():
        return
    previous = [p for p in out_dir.iterdir() if p.suffix == ".json" or p.name == ERRORS_FILE]
    if previous and not overwrite:
        raise OutputExistsError(
            f"{out_dir} already holds {len(previous)} output file(s) from an earlier run; "
            "choose another --out or pass --overwrite to replace them"
        )


def clear_outputs(out_dir: Path) -> None:
    """Remove an earlier run's outputs, so nothing stale is left beside the new ones."""
    if not out_dir.exists():
        return
    for path in out_dir.iterdir():
        if path.is_file() and (path.suffix == ".json" or path.name in {ERRORS_FILE, DIGEST_FILE}):
            path.unlink()


def output_path(out_dir: Path, article_id: str) -> Path:
    """Where the briefing of ``article_id`` is written (one rule for every engine)."""
    return Path(out_dir) / f"{article_id}.json"


def write_briefing(out_dir: Path, briefing: Briefing) -> Path:
    """Write one briefing atomically; a reader never sees half a file."""
    path = output_path(out_dir, briefing.id)
    atomic_write_json(path, briefing.to_dict())
    return path


def is_complete(path: Path) -> bool:
    """Whether ``path`` holds a whole briefing (so a resumed run may skip its article)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "schema_version" in data and "briefing_en" in data


def _dedupe(items: Iterable[Article | ArticleError]) -> Iterable[Article | ArticleError]:
    """Turn repeated ids (which would overwrite each other's output) into errors."""
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, Article):
            if item.id in RESERVED_IDS:
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

    Raises:
        OutputExistsError: see :func:`check_output_dir`.
        ModelUnavailableError: a model is missing (checked before any article is processed).
    """
    out_dir = Path(out_dir)
    check_output_dir(out_dir, overwrite=overwrite)
    engine = engine or BriefingEngine(config)
    engine.load_models()
    out_dir.mkdir(parents=True, exist_ok=True)
    errors_path = out_dir / ERRORS_FILE
    errors_path.unlink(missing_ok=True)
    result = BatchResult(out_dir=out_dir)
    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    briefings: list[Briefing] = []
    for outcome in engine.run(_dedupe(items), on_result=on_result):
        if isinstance(outcome, ArticleError):
            append_jsonl(errors_path, outcome.to_record())
            result.failed.append(outcome)
        else:
            write_briefing(out_dir, outcome)
            briefings.append(outcome)
            result.briefed.append(outcome.id)
    if not result.failed:
        errors_path.touch()  # an empty errors.jsonl says "nothing failed", not "not run"
    atomic_write_text(out_dir / DIGEST_FILE, render_digest_md(briefings, result.failed))
    result.seconds = time.perf_counter() - started
    atomic_write_json(out_dir / RUN_FILE, {
        "started": started_at,
        "seconds": round(result.seconds, 3),
        "briefed": len(result.briefed),
        "failed": len(result.failed),
        "failures_by_reason": _count_reasons(result.failed),
        "models": engine.model_provenance(),
        "translation_stats": engine.translator.stats,
        "config": config.model_dump(mode="json"),
        "versions": package_versions(),
        "git_commit": git_commit(),
    })
    return result


def _count_reasons(errors: list[ArticleError]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for error in errors:
        counts[error.reason] = counts.get(error.reason, 0) + 1
    return counts
