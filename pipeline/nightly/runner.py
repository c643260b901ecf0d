"""`run_nightly`: read the sources, brief what is new or changed, write the night's digest.

The order of operations is what makes a run crash-safe and exactly-once:

1. Take the single-run lock (a second run refuses: :class:`~pipeline.nightly.lock.RunActiveError`).
2. Read every source and plan against the state; register new/changed articles as
   ``pending`` *with their text* in one transaction.
3. Process the work list (everything pending, plus failures with attempts left) window by
   window: record the window in flight, brief, write ``<id>.json`` atomically, *then* commit
   ``done`` (or ``failed`` with its reason) with its attempt. A kill between the write and
   the commit re-does that article on the next run, which replaces the file atomically and
   commits once. After a run that died, the articles it had in flight are briefed one at a
   time, after the rest; only an article that was alone in flight when a run died has that
   counted as an attempt (:meth:`~pipeline.nightly.state.StateStore.settle_crashes`).
4. Rebuild the night's digest from the state and the article files, atomically.

Models are loaded only when the work list is not empty.

A dry run is the same collect step (:func:`collect`) without the writes; a night asked for
that is older than the latest night in the state is only rebuilt from the state (nothing
read, nothing briefed, no other night touched). When no night was asked for and the clock is
behind the state (it was set back), the run is the latest night's, with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from pipeline.archive import update_archive
from pipeline.core.config import AppConfig, NightlyConfig
from pipeline.core.errors import (
    ArticleError,
    ConfigError,
    FetchError,
    InvalidArgumentError,
    count_reasons,
)
from pipeline.core.exit_codes import ExitCode
from pipeline.core.fileio import remove_stale_temporaries
from pipeline.core.netguard import AllowList, literal_refusal
from pipeline.core.provenance import git_commit, package_versions
from pipeline.nightly.cache import SqlTranslationCache
from pipeline.nightly.delivery import delivery_failed
from pipeline.nightly.digest import build_digest, write_digest
from pipeline.nightly.fanout import CAP_FEED, CAP_RUN, Skipped, schedule
from pipeline.nightly.fetch import Fetcher
from pipeline.nightly.lock import RunLock
from pipeline.nightly.outcomes import ArticleStatus, OutcomeKind
from pipeline.nightly.plan import Plan, Planner, needs_fetch
from pipeline.nightly.sources import (
    Candidate,
    SourceContext,
    SourceError,
    SourceWarning,
    check_sources,
    read_source,
    resolve,
)
from pipeline.nightly.state import (
    Known,
    StateStore,
    WorkItem,
    normalise_url,
    payload_to_article,
    sqlite_file,
)
from pipeline.nightly.stories import NightStories
from pipeline.nightly.summary import MAX_LISTED, RunSummary
from pipeline.record.briefing import Briefing, write_briefing

EventSink = Callable[[str, dict], None]


@dataclass
class NightlyResult:
    """What one run did.

    Attributes:
        night: ``YYYY-MM-DD``.
        night_dir: ``OUT_DIR/NIGHT``.
        summary: the run summary (its JSON is in ``digest.json`` under ``run``).
        digest: the digest data (None for a dry run).
        paths: the digest files written.
        models_loaded: whether any model was loaded.
        dry_run: nothing was changed.
        rebuilt: a past night: its digest was rebuilt from the state, nothing was read.
        planned: for a dry run, ``(key, action)`` for every article that would be touched.
    """

    night: str
    night_dir: Path
    summary: RunSummary
    digest: dict | None = None
    paths: dict[str, Path] = field(default_factory=dict)
    models_loaded: bool = False
    dry_run: bool = False
    rebuilt: bool = False
    planned: list[tuple[str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all good; 1 the night lists failed articles, a source could not be read
        (whole or in part), or the digest could not be delivered. A dry run exits as the run
        would, as far as reading can tell."""
        if self.dry_run:
            failing = any(action == "failed" for _, action in self.planned)
        else:
            failing = bool(self.digest and self.digest["failed"])
        trouble = (self.summary.source_errors or self.summary.source_warnings
                   or delivery_failed(self.summary.delivery))
        return ExitCode.PARTIAL if failing or trouble else ExitCode.OK


def watch_matcher(config: AppConfig):
    """The matcher of the configured watchlists (``watch:`` and ``watch_file:``), or None.

    Raises:
        ConfigError: the watchlist file cannot be used.
    """
    from pipeline.watch.lists import watchlists
    from pipeline.watch.match import WatchMatcher

    lists = watchlists(config.watch, config.watch_file)
    email = config.nightly.deliver.email
    unknown = sorted(set(email.watch_to) - {w.name for w in lists}) if email else []
    if unknown:
        raise ConfigError(f"nightly.deliver.email.watch_to names no watchlist: "
                          f"{', '.join(unknown)} (watch: or watch_file: define them)")
    return WatchMatcher(lists) if lists else None


def resolve_night(night: date | str | None) -> str:
    """The night as ``YYYY-MM-DD`` (default: today, local time).

    Raises:
        InvalidArgumentError: not a valid date.
    """
    if night is None:
        return date.today().isoformat()
    if isinstance(night, date):
        return night.isoformat()
    try:
        return date.fromisoformat(night).isoformat()
    except ValueError:
        raise InvalidArgumentError(f"the night must be YYYY-MM-DD, got '{night}'") from None


def fetcher_for(settings: NightlyConfig) -> Fetcher:
    """The guarded fetcher configured by ``nightly.fetch_*``."""
    return Fetcher(timeout_s=settings.fetch_timeout_s, max_bytes=settings.fetch_max_bytes,
                   user_agent=settings.user_agent, allow=settings.fetch_allow,
                   max_redirects=settings.fetch_max_redirects)


def lock_path_for(settings: NightlyConfig) -> Path:
    """``nightly.lock_path``, or next to the SQLite file, or in the output folder."""
    if settings.lock_path is not None:
        return settings.lock_path
    db_file = sqlite_file(normalise_url(settings.state_url))
    if db_file is not None:
        return db_file.with_name(db_file.name + ".lock")
    return settings.out_dir / ".nightly.lock"


def run_nightly(config: AppConfig, *, night: date | str | None = None, dry_run: bool = False,
                reprocess: Sequence[str] = (), on_event: EventSink | None = None,
                fetcher: Callable | None = None) -> NightlyResult:
    """Run one night (see the module docstring).

    Args:
        config: the resolved configuration (``config.nightly`` holds the nightly settings).
        night: the night to run or rebuild (default today, or the latest night in the state
            when the clock is behind it). A night older than the latest night in the state
            is rebuilt only: read-only apart from its own digest files.
        dry_run: read and plan only: no lock, no state changes, no models, no files.
        reprocess: keys, article ids, ``failed`` or ``all``: brief these again even if
            unchanged (attempts are reset).
        on_event: receives ``(event, fields)`` for progress and machine-readable logs.
        fetcher: replaces the HTTP fetcher (tests).

    Raises:
        RunActiveError: another run holds the lock (exit code 3).
        ConfigError, FileNotFoundError: bad sources or settings (exit code 2).
        ModelUnavailableError: a model is missing (exit code 2; nothing was claimed).
        StateError: the state database cannot be used (exit code 2).
    """
    settings = config.nightly
    asked = night is not None
    night = resolve_night(night)
    check_sources(settings.sources)
    watch_matcher(config)  # a broken watchlist file is a configuration error, found first
    emit = on_event or (lambda _event, _fields: None)
    ctx = SourceContext(
        max_article_bytes=config.ingest.max_article_bytes, feed_min_words=settings.feed_min_words,
        max_feed_bytes=settings.fetch_max_bytes, teasers=settings.teasers,
        fetch=fetcher or fetcher_for(settings))
    if dry_run:
        return _dry_run(config, night, ctx, reprocess, emit, asked=asked)
    with RunLock(lock_path_for(settings), night=night) as lock:
        store = StateStore.open(settings.state_url)
        try:
            with store.state_errors():
                latest = store.latest_night()
                if latest is not None and night < latest and not asked:
                    night = _clock_behind(night, latest, emit)
                if latest is not None and night < latest:
                    _refuse_reprocess_into_past(night, latest, reprocess)
                    return _rebuild(config, store, night, emit)
                run = _Run(config, store, night, ctx, emit)
                run.previous_run_died = lock.previous_run_died
                return run.execute(reprocess)
        finally:
            store.close()


@dataclass
class Collected:
    """What the collect step found: the plan, the sources that failed or were cut off, and
    the teaser pages fetched (or, for a dry run, to fetch) and skipped over the caps."""

    planner: Planner
    source_errors: list[SourceError]
    source_warnings: list[SourceWarning]
    seconds: float
    fetches: list[Candidate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def plan(self) -> Plan:
        """The planner's plan."""
        return self.planner.plan


def collect(settings: NightlyConfig, ctx: SourceContext, snapshot: dict[str, Known],
            file_ids: set[str], emit: EventSink, *, fetch_pages: bool = True) -> Collected:
    """Read every source and plan against the state; reads the state only (a real run and a
    dry run share this step, so a dry run reports what the run would do).

    Teaser pages are fetched once every source is read, within the caps (:mod:`fanout`);
    ``fetch_pages=False`` (a dry run) only says which would be fetched.
    """
    started = time.perf_counter()
    planner = Planner(snapshot, file_ids, settings.max_attempts)
    source_errors: list[SourceError] = []
    source_warnings: list[SourceWarning] = []
    # A teaser to fetch holds its place: it, and anything offered later under its key, go to
    # the planner in source order once the pages are fetched ("the first source wins").
    pending: list[Candidate] = []
    deferred: list[Candidate] = []
    waiting_keys: set[str] = set()
    offered: set[str] = set()
    for spec in settings.sources:
        source_started = time.perf_counter()
        count = 0
        try:
            for candidate in read_source(spec, ctx):
                count += 1
                if candidate.key in waiting_keys:
                    deferred.append(candidate)
                elif (candidate.key not in offered and needs_fetch(
                        candidate, snapshot.get(candidate.key), settings.max_attempts)):
                    waiting_keys.add(candidate.key)
                    pending.append(candidate)
                    deferred.append(candidate)
                else:
                    offered.add(candidate.key)
                    planner.add(candidate)
        except (FetchError, OSError) as exc:
            message = str(exc) if isinstance(exc, FetchError) else f"{spec}: {exc}"
            source_errors.append(SourceError(source=spec, message=message))
            emit("source.failed", {"source": spec, "message": message})
        for warning in ctx.warnings:
            source_warnings.append(warning)
            emit("source.warning", {"source": warning.source, "message": warning.message})
        ctx.warnings.clear()
        emit("source.read", {"source": spec, "articles": count,
                             "seconds": round(time.perf_counter() - source_started, 3)})
    fetches, skipped = schedule(pending, per_feed=settings.fetch_max_per_feed,
                                per_run=settings.fetch_max_per_run)
    fetch_started = time.perf_counter()
    resolved = {id(c): resolve(c, ctx) if fetch_pages else None for c in fetches}
    if fetches or skipped:
        emit("pages.fetched", {"fetched": len(fetches) if fetch_pages else 0,
                               "skipped": len(skipped),
                               "seconds": round(time.perf_counter() - fetch_started, 3)})
    skipped_ids = {id(s.candidate) for s in skipped}
    pending_ids = {id(c) for c in pending}
    placed: set[str] = set()  # keys placed by a teaser (fetched, or to fetch in a dry run)
    for candidate in deferred:
        if id(candidate) in skipped_ids:
            continue
        if id(candidate) in pending_ids:
            placed.add(candidate.key)
            page = resolved[id(candidate)]
            if page is not None:
                planner.add(page)
        elif candidate.key in placed and not fetch_pages:
            planner.plan.duplicates.append(candidate)  # a dry run: the teaser would win
        else:
            planner.add(candidate)
    for item in skipped:
        emit("article.skipped", {"key": item.candidate.key, "source": item.candidate.source,
                                 "url": item.candidate.fetch_url, "reason": item.reason})
    for warning in _skip_warnings(settings, skipped):
        source_warnings.append(warning)
        emit("source.warning", {"source": warning.source, "message": warning.message})
    return Collected(planner, source_errors, source_warnings, time.perf_counter() - started,
                     fetches=fetches, skipped=skipped)


def _skip_warnings(settings: NightlyConfig, skipped: list[Skipped]) -> list[SourceWarning]:
    """One warning per source with pages left unfetched: read in part tonight."""
    warnings = []
    for source in dict.fromkeys(item.candidate.source for item in skipped):
        reasons = Counter(s.reason for s in skipped if s.candidate.source == source)
        why = []
        if reasons[CAP_FEED]:
            why.append(f"{reasons[CAP_FEED]} over nightly.fetch_max_per_feed = "
                       f"{settings.fetch_max_per_feed}")
        if reasons[CAP_RUN]:
            why.append(f"{reasons[CAP_RUN]} over nightly.fetch_max_per_run = "
                       f"{settings.fetch_max_per_run}")
        warnings.append(SourceWarning(source=source, message=(
            f"{source}: {reasons.total()} teaser page(s) not fetched tonight "
            f"({', '.join(why)}); they are fetched on a later night while the feed lists "
            "them")))
    return warnings


def _summary_of(night: str, collected: Collected) -> RunSummary:
    """The part of a summary the collect step knows."""
    plan = collected.plan
    return RunSummary(
        night=night, seen=plan.seen, unchanged=len(plan.unchanged),
        exhausted=len(plan.exhausted), duplicates=len(plan.duplicates), kept=len(plan.kept),
        exhausted_keys=[k.key for k in plan.exhausted][:MAX_LISTED],
        warnings=[{"key": c.key, "message": str(c.error) if c.error else
                   "read from a malformed feed, perhaps cut off; the stored version is kept"}
                  for c in plan.kept][:MAX_LISTED],
        source_errors=[{"source": e.source, "message": e.message}
                       for e in collected.source_errors],
        source_warnings=[{"source": w.source, "message": w.message}
                         for w in collected.source_warnings],
        fetches=len(collected.fetches), fetches_skipped=len(collected.skipped),
        fetches_skipped_keys=[s.candidate.key for s in collected.skipped][:MAX_LISTED])


class _Run:
    """One locked run; see :func:`run_nightly`."""

    def __init__(self, config: AppConfig, store: StateStore, night: str, ctx: SourceContext,
                 emit: EventSink):
        self.config = config
        self.settings = config.nightly
        self.store = store
        self.night = night
        self.ctx = ctx
        self.emit = emit
        self.night_dir = self.settings.out_dir / night
        self.engine = None
        self.summary = RunSummary(night=night)
        self.previous_run_died = False
        self.suspects: set[str] = set()
        self.failure_reasons: list[str] = []  # of this run's failures, in order

    def execute(self, reprocess: Sequence[str]) -> NightlyResult:
        started = time.perf_counter()
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        snapshot = self.store.snapshot()
        forced = _select(reprocess, snapshot)
        run_id = self.store.start_run(self.night, pid=os.getpid(), host=socket.gethostname())
        self.emit("run.started", {"night": self.night, "run_id": run_id, "pid": os.getpid()})
        # A kill during an atomic write leaves its temporary file; only this run (it holds
        # the lock) writes here, so any left over is garbage: the out folder and its nights.
        remove_stale_temporaries(self.settings.out_dir, depth=1)
        try:
            collected = collect(self.settings, self.ctx, snapshot, self.store.file_ids(),
                                self.emit)
            plan = collected.plan
            self.summary = summary = _summary_of(self.night, collected)
            summary.run_id, summary.started_at = run_id, started_at
            # Before registering: a changed or reprocessed article starts its attempts afresh.
            self.suspects = set(self.store.settle_crashes(
                previous_run_died=self.previous_run_died))
            self.store.touch(plan.unchanged)
            self.store.register(plan.register, run_id=run_id,
                                file_ids=collected.planner.new_file_ids)
            for candidate, kind in plan.read_failures:
                error = candidate.error
                assert error is not None
                summary.add(kind)
                self._failed(candidate.key, run_id, kind, error.reason, str(error),
                             attempt=None, count_attempt=True, source=candidate.source,
                             file_id=collected.planner.new_file_ids.get(candidate.key))
            self.store.force(forced, run_id=run_id)
            work = self.store.work_list(self.settings.max_attempts, run_id)
            self.emit("plan", {"night": self.night, "seen": plan.seen, "work": len(work),
                               "unchanged": len(plan.unchanged), "exhausted": len(plan.exhausted),
                               "fetches": len(collected.fetches),
                               "fetches_skipped": len(collected.skipped),
                               "source_errors": len(collected.source_errors),
                               "source_warnings": len(collected.source_warnings)})
            process_s, models_s = self._process(work, run_id)
            digest_started = time.perf_counter()
            loaded = bool(self.engine is not None and self.engine.models_loaded)
            summary.models_loaded = loaded
            summary.failures_by_reason = count_reasons(self.failure_reasons)
            summary.translation = dict(self.engine.translator.stats) if loaded else None
            summary.durations = {"collect_s": round(collected.seconds, 3),
                                 "models_s": round(models_s, 3),
                                 "process_s": round(process_s, 3)}
            digest = build_digest(self.store, night=self.night, out_dir=self.settings.out_dir,
                                  settings=self.settings, run=summary.to_dict(),
                                  provenance=_provenance(self.config),
                                  stories=self._stories(), watch=watch_matcher(self.config))
            summary.durations["digest_s"] = round(time.perf_counter() - digest_started, 3)
            summary.durations["total_s"] = round(time.perf_counter() - started, 3)
            summary.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
            result = NightlyResult(night=self.night, night_dir=self.night_dir, summary=summary,
                                   digest=digest, models_loaded=loaded)
            summary.exit_code = int(result.exit_code)
            digest["run"] = summary.to_dict()
            for run in digest["runs"]:  # this run, as it will be recorded below
                if run["id"] == run_id:
                    run.update(status="finished", finished_at=summary.finished_at,
                               exit_code=summary.exit_code, summary=digest["run"])
            result.paths = write_digest(digest, self.night_dir)
            if self.settings.deliver.email is not None:
                # Sent once the digest is on disk; a failure is recorded, never fatal.
                summary.delivery = digest["delivery"] = self._deliver(digest)
                summary.exit_code = int(result.exit_code)
                digest["run"] = summary.to_dict()
                for run in digest["runs"]:
                    if run["id"] == run_id:
                        run.update(exit_code=summary.exit_code, summary=digest["run"])
                result.paths = write_digest(digest, self.night_dir)
            # Finished only once the digest is written: a kill before this line leaves the
            # run "running", and the next run marks it interrupted and rewrites the digest.
            self.store.finish_run(run_id, status="finished", summary=digest["run"],
                                  exit_code=summary.exit_code)
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (pipeline.core.interrupt)
            with contextlib.suppress(Exception):  # never hide the interrupt
                self.store.finish_run(run_id, status="interrupted",
                                      exit_code=int(ExitCode.INTERRUPTED),
                                      summary={"error": "interrupted (Ctrl-C or SIGTERM)"})
            raise
        except BaseException as exc:
            with contextlib.suppress(Exception):  # never hide the original error
                self.store.finish_run(run_id, status="error", exit_code=None,
                                      summary={"error": f"{type(exc).__name__}: {exc}"})
            raise
        result.paths.update(update_archive(self.settings.out_dir, self.emit))  # the reader's site
        self.emit("digest.written", {"night": self.night,
                                     "paths": {k: str(v) for k, v in result.paths.items()}})
        self.emit("run.finished", digest["run"])
        return result

    # -- process --------------------------------------------------------------------------

    def _deliver(self, digest: dict) -> list[dict]:
        from pipeline.core.errors import DeliveryConfigError
        from pipeline.nightly.delivery import deliver_night

        try:
            records = deliver_night(self.settings.deliver.email, self.store, self.night, digest,
                                    self.night_dir)
        except DeliveryConfigError as err:
            records = [{"message": "digest", "sent": False, "error": str(err), "attempts": 0}]
        for record in records:
            self.emit("delivery.sent" if record.get("sent") else "delivery.failed",
                      {"message": record["message"], "to": record.get("to"),
                       "error": record.get("error"), "refused": record.get("refused") or {}})
        return records

    def _stories(self) -> NightStories | None:
        """The night's story maker: the story briefings use this run's summarizer, loaded
        only when a story must be made again (its articles changed)."""
        if not self.settings.stories:
            return None

        def summarizer():
            if self.engine is not None and self.engine.models_loaded:
                return self.engine.summarizer
            from pipeline.story.build import load_summarizer

            return load_summarizer(self.config)

        return NightStories(self.night_dir, summarizer)

    def _process(self, work: list[WorkItem], run_id: int) -> tuple[float, float]:
        runnable = []
        for item in work:
            if item.status == ArticleStatus.PENDING and item.attempts >= self.settings.max_attempts:
                # Its last attempt ended with the run dying while it alone was in flight.
                self.summary.add(OutcomeKind.RESUMED if item.resumed else item.kind)
                self._failed(item.key, run_id, item.kind, "crashed",
                             "the run stopped (killed or crashed) while briefing this article "
                             f"alone; all {item.attempts} attempt(s) used; given up",
                             attempt=item.attempts)
            elif item.payload is None:
                self._failed(item.key, run_id, item.kind, "no-content",
                             "the stored article is missing; it is read again when its source "
                             "offers it", attempt=item.attempts)
            else:
                runnable.append(item)
        if not runnable:
            return 0.0, 0.0
        from pipeline.briefing.engine import BriefingEngine  # the engine pulls in torch

        self.engine = BriefingEngine(self.config, cache=SqlTranslationCache(self.store.engine),
                                     window=self.settings.window)
        started = time.perf_counter()
        self.engine.load_models()  # a missing model fails here, before any attempt is counted
        models_s = time.perf_counter() - started
        self.emit("models.loaded", {"seconds": round(models_s, 3)})
        self.night_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        window = self.settings.window
        # What a run that died had in flight goes last and alone: a culprit then dies alone
        # (and only that is counted against it), the innocent are briefed.
        others = [item for item in runnable if item.key not in self.suspects]
        chunks = [others[i:i + window] for i in range(0, len(others), window)]
        chunks += [[item] for item in runnable if item.key in self.suspects]
        for chunk in chunks:
            self._process_window(chunk, run_id)
        return time.perf_counter() - started, models_s

    def _process_window(self, chunk: list[WorkItem], run_id: int) -> None:
        # The window is recorded as in flight before briefing: if the run dies, the next one
        # knows which articles it was briefing. Anything else that stops the window (a full
        # disk, a bug, Ctrl-C) is not the articles' doing: the record is dropped.
        self.store.claim([item.key for item in chunk], run_id=run_id)
        try:
            originals = [payload_to_article(item.payload or "") for item in chunk]
            articles = [replace(a, id=item.file_id)
                        for a, item in zip(originals, chunk, strict=True)]
            for item, original, outcome in zip(chunk, originals, self.engine.run(articles),
                                               strict=True):
                self.summary.add(OutcomeKind.RESUMED if item.resumed else item.kind)
                if isinstance(outcome, ArticleError):
                    self._failed(item.key, run_id, item.kind, outcome.reason, str(outcome),
                                 attempt=item.attempts + 1, attempted=True)
                else:
                    self._done(item, original.id, outcome, run_id)
        except BaseException:
            with contextlib.suppress(Exception):  # the original error is what matters
                self.store.release_in_flight()
            raise

    def _done(self, item: WorkItem, article_id: str, briefing: Briefing, run_id: int) -> None:
        recorded = briefing.model_copy(update={"nightly": {
            "key": item.key, "night": self.night, "run_id": run_id, "kind": item.kind,
            "attempt": item.attempts + 1, "content_hash": item.content_hash,
            "article_id": article_id,
        }})
        relative = f"{self.night}/{item.file_id}.json"
        write_briefing(self.settings.out_dir / relative, recorded)
        # Only now is the article done: a kill before this commit re-does it next run.
        self.store.record_done(item.key, night=self.night, run_id=run_id, kind=item.kind,
                               output_path=relative)
        self.summary.add("done")
        self.emit("article.done", {"key": item.key, "id": item.file_id, "kind": item.kind,
                                   "seconds": briefing.timings.total_s})

    def _failed(self, key: str, run_id: int, kind: str, reason: str, message: str, *,
                attempt: int | None, count_attempt: bool = False, attempted: bool = False,
                source: str | None = None, file_id: str | None = None) -> None:
        self.store.record_failed(key, night=self.night, run_id=run_id, kind=kind, reason=reason,
                                 message=message, count_attempt=count_attempt,
                                 attempted=attempted, source=source, file_id=file_id)
        self.summary.add("failed")
        self.failure_reasons.append(reason)
        self.emit("article.failed", {"key": key, "kind": kind, "reason": reason,
                                     "message": message, "attempt": attempt,
                                     "max_attempts": self.settings.max_attempts})


def _clock_behind(today: str, latest: str, emit: EventSink) -> str:
    """No night was asked for and the clock says an earlier night than the state's latest
    (it was set back): run as the latest night, with a warning, rather than refuse."""
    emit("clock.behind", {"clock_night": today, "night": latest, "message": (
        f"the clock says {today}, earlier than the latest night in the state ({latest}); "
        f"running as {latest}: check the system clock")})
    return latest


def _refuse_reprocess_into_past(night: str, latest: str, reprocess: Sequence[str]) -> None:
    if reprocess:
        raise InvalidArgumentError(
            f"{night} is a past night (the state has {latest}); it can only be rebuilt: "
            "reprocess articles into the latest night instead")


def _rebuild(config: AppConfig, store: StateStore, night: str, emit: EventSink) -> NightlyResult:
    """A past night: rewrite its digest from the state. Reads no source, briefs nothing,
    records no run, so no other night changes."""
    settings = config.nightly
    # A past night's stories are reused as written; one missing is made without a briefing.
    digest = build_digest(store, night=night, out_dir=settings.out_dir, settings=settings,
                          run=None, provenance=_provenance(config),
                          stories=NightStories(settings.out_dir / night) if settings.stories
                          else None, watch=watch_matcher(config))
    if not digest["night"]["runs"] and not digest["night"]["articles"]:
        # A mistyped date would otherwise get an empty digest and exit 0.
        raise InvalidArgumentError(f"no run of the state was on the night {night}: there is "
                                   "nothing to rebuild (check the date)")
    night_dir = settings.out_dir / night
    result = NightlyResult(night=night, night_dir=night_dir, summary=RunSummary(night=night),
                           digest=digest, rebuilt=True)
    result.summary.exit_code = int(result.exit_code)
    result.paths = write_digest(digest, night_dir)
    emit("digest.written", {"night": night, "rebuilt": True,
                            "paths": {k: str(v) for k, v in result.paths.items()}})
    return result


def _select(selectors: Sequence[str], snapshot: dict) -> list[str]:
    """Keys named by ``--reprocess`` values.

    Raises:
        ConfigError: a value matches no known article.
    """
    keys: list[str] = []
    for selector in selectors:
        if selector == "all":
            matched = list(snapshot)
        elif selector == "failed":
            matched = [k for k, v in snapshot.items() if v.status == ArticleStatus.FAILED]
        else:
            matched = [k for k, v in snapshot.items()
                       if selector in (k, v.file_id, v.article_id)]
            if not matched:
                raise InvalidArgumentError(
                    f"cannot reprocess {selector!r}: no known article has this key or id "
                    "(keys and ids are listed in digest.json)")
        keys.extend(matched)
    return list(dict.fromkeys(keys))


def _dry_run(config: AppConfig, night: str, ctx: SourceContext, reprocess: Sequence[str],
             emit: EventSink, *, asked: bool = True) -> NightlyResult:
    """The collect step of a run, without its writes: what a run would do, and its exit code
    as far as reading can tell (a source not read, an article unreadable, a bad selector)."""
    settings = config.nightly
    url = normalise_url(settings.state_url)
    db_file = sqlite_file(url)
    store = None
    if db_file is None or db_file.exists():
        store = StateStore.open(url, create=False)
    try:
        has_state = store is not None and store.has_tables()
        if store is not None and has_state:
            with store.state_errors():
                return _dry_run_on(config, night, ctx, reprocess, emit, store, asked)
        return _dry_run_on(config, night, ctx, reprocess, emit, None, asked)
    finally:
        if store is not None:
            store.close()


def _dry_run_on(config: AppConfig, night: str, ctx: SourceContext, reprocess: Sequence[str],
                emit: EventSink, store: StateStore | None, asked: bool) -> NightlyResult:
    settings = config.nightly
    latest = store.latest_night() if store is not None else None
    if latest is not None and night < latest and not asked:
        night = _clock_behind(night, latest, emit)
    night_dir = settings.out_dir / night
    if latest is not None and night < latest:
        _refuse_reprocess_into_past(night, latest, reprocess)
        summary = RunSummary(night=night, dry_run=True)
        return NightlyResult(night=night, night_dir=night_dir, summary=summary, dry_run=True,
                             rebuilt=True)
    snapshot = store.snapshot() if store is not None else {}
    forced = _select(reprocess, snapshot)
    collected = collect(settings, ctx, snapshot, store.file_ids() if store else set(), emit,
                        fetch_pages=False)
    summary = _summary_of(night, collected)
    summary.dry_run = True
    plan = collected.plan
    allow = AllowList.parse(settings.fetch_allow)
    planned: list[tuple[str, str]] = []
    for candidate in collected.fetches:  # no page is fetched; a numeric address is checked
        refused = literal_refusal(urlsplit(candidate.fetch_url or "").hostname or "", allow)
        planned.append((candidate.key, "failed" if refused else "fetch"))
        if refused:  # as the run would record it: a read failure
            summary.add("retried" if candidate.key in snapshot else "new")
            summary.add("failed")
    planned += [(s.candidate.key, "not-fetched") for s in collected.skipped]
    for registration in plan.register:
        planned.append((registration.key, registration.kind))
        summary.add(registration.kind)
    for candidate, kind in plan.read_failures:
        planned.append((candidate.key, "failed"))
        summary.add(kind)
        summary.add("failed")
    touched = {key for key, _ in planned}
    for key in forced:
        if key not in touched:
            planned.append((key, OutcomeKind.REPROCESSED))
            summary.add(OutcomeKind.REPROCESSED)
    touched |= set(forced)
    if store is not None:
        for item in store.work_list(settings.max_attempts, run_id=-1):
            if item.key not in touched:
                kind = OutcomeKind.RESUMED if item.status == ArticleStatus.PENDING else item.kind
                planned.append((item.key, kind))
                summary.add(kind)
    for key, action in planned:
        emit("dry_run.item", {"key": key, "action": action})
    return NightlyResult(night=night, night_dir=night_dir, summary=summary, dry_run=True,
                         planned=[(key, str(action)) for key, action in planned])


def _provenance(config: AppConfig) -> dict:
    resolved = json.dumps(config.model_dump(mode="json"), sort_keys=True)
    url = make_url(normalise_url(config.nightly.state_url))
    return {
        "versions": package_versions(),
        "git_commit": git_commit(),
        "config_sha256": hashlib.sha256(resolved.encode()).hexdigest(),
        "state_url": url.render_as_string(hide_password=True),
    }
