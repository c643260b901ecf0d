"""``briefing batch --engine ray``: the batch on a Ray cluster, with Ray Data.

The data path is the local one, spread out: read (stateless tasks, one input file each, so
an archive is never loaded whole on the driver) → prepare (stateless tasks: clean, language
check, segment) → brief (an actor pool; each actor loads both models once, translates and
summarizes a batch, and writes each briefing atomically) → the driver writes
``errors.jsonl``, ``digest.md`` and ``run.json`` from the small result rows.

Resumable and exactly once: ids whose ``<id>.json`` is already complete in the output
folder are skipped, so a killed backfill redoes only what is missing; a worker that dies is
restarted by Ray and its batch retried (writes are atomic renames, so a retry can only
replace a whole file with the same whole file).
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.batch.digest_md import render_digest_md
from pipeline.batch.plan import KEEP, IdPlan
from pipeline.batch.ray_cluster import connect, quiet_ray, stop
from pipeline.batch.ray_workers import (
    ORDER_STRIDE,
    BriefActor,
    article_row,
    error_from_record,
    prepare_batch,
    read_input,
)
from pipeline.batch.record import DIGEST_FILE, ERRORS_FILE, BatchResult, finish_run
from pipeline.batch.run import (
    check_output_dir,
    is_complete,
    output_path,
    remove_previous_outputs,
)
from pipeline.briefing.engine import BriefingEngine
from pipeline.core.config import AppConfig
from pipeline.core.errors import ArticleError, RayUnavailableError
from pipeline.core.fileio import (
    atomic_write_text,
    remove_stale_temporaries,
)
from pipeline.core.interrupt import raise_if_terminated
from pipeline.ingest.readers import expand_inputs, read_stdin
from pipeline.record.briefing import read_briefing

log = logging.getLogger(__name__)
__all__ = ["RayBatchResult", "RayUnavailableError", "run_batch_ray"]
PARQUET_DIR = "briefings.parquet"
MAX_BLOCKS = 10_000
ACTORS_READY_S = 1800  # how long the actors may take to be placed and load their models
PLACEMENT_S = 120  # how long the cluster may take to find room for the actors' bundles
SUFFIXES = (".txt", ".jsonl", ".parquet")


@dataclass
class RayBatchResult(BatchResult):
    """What a Ray batch did: a local batch's result, plus the cluster, its actors and what
    each Ray node briefed."""

    load_seconds: float | None = None  # each actor loads its own models
    address: str | None = None
    actors: int = 0
    actor_load_seconds: float | None = None  # the longest an actor took to load
    nodes: dict[str, dict[str, int]] = field(default_factory=dict)

    def engine_details(self) -> dict[str, Any]:
        """The Ray part of ``run.json``: the cluster, the actors, each node's counts."""
        return {"name": "ray", "address": self.address, "actors": self.actors,
                "actor_load_seconds": self.actor_load_seconds, "nodes": self.nodes}

    def where(self) -> str:
        """Where the articles were briefed: on Ray, on how many nodes."""
        return f" on Ray ({len(self.nodes)} node(s))"


def _import_ray():
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailableError(
            "the Ray engine needs Ray, which is not installed: pip install 'briefing[ray]'"
        ) from exc
    return ray


def run_batch_ray(
    inputs: Iterable[str],
    out_dir: Path,
    config: AppConfig,
    *,
    overwrite: bool = False,
    write_parquet: bool = False,
    stdin=None,
    init_kwargs: dict[str, Any] | None = None,
    on_result: Callable[[str], None] | None = None,
) -> RayBatchResult:
    """Brief every input on Ray; the outputs are those of :func:`pipeline.batch.run.run_batch`.

    Args:
        inputs: files, folders, ``-`` (stdin), or URIs that pyarrow's filesystems reach
            (``s3://…``) of ``.txt``, ``.jsonl`` or ``.parquet`` inputs.
        overwrite: remove an earlier run's outputs first; without it, ids whose output is
            already complete are skipped (a resumed run).
        write_parquet: also write the briefings as a Parquet dataset (``briefings.parquet/``).
        init_kwargs: extra ``ray.init`` arguments when this call starts Ray.
        on_result: called with ``"briefed"`` or ``"failed"`` for each finished article.

    Raises:
        RayUnavailableError: Ray is missing or the cluster cannot be joined.
        ModelUnavailableError: a model is missing (checked before Ray starts any work).
    """
    ray = _import_ray()
    out_dir = Path(out_dir)
    inputs = list(inputs)
    local = [i for i in inputs if "://" not in i]
    remote = [i for i in inputs if "://" in i]
    expanded = expand_inputs([i for i in local if i != "-"])  # FileNotFoundError up front
    files = [f for f in expanded if isinstance(f, str)]
    walk_errors = [f for f in expanded if isinstance(f, ArticleError)]  # links, FIFOs, …
    check_output_dir(out_dir, overwrite=True)  # writable? (exit 2, before the models load)
    BriefingEngine(config).resolve_models()  # a missing model stops us before any work
    if overwrite:
        remove_previous_outputs(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)  # what a killed run's atomic writes left

    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    session = connect(ray, config.ray.address, timeout_s=config.ray.connect_timeout_s,
                      init_kwargs=init_kwargs)
    try:  # a local Ray this call started is stopped on every way out
        return _run(ray, files, remote, walk_errors, out_dir, config, write_parquet, stdin,
                    "-" in local, on_result, started, started_at)
    finally:
        stop(ray, session)


def _run(ray, files, remote, walk_errors, out_dir: Path, config: AppConfig,
         write_parquet: bool, stdin, with_stdin: bool, on_result, started: float,
         started_at: str) -> RayBatchResult:
    """:func:`run_batch_ray` once Ray is up."""
    result = RayBatchResult(out_dir=out_dir, started_at=started_at,
                            address=ray.get_runtime_context().gcs_address)
    log.info("ray: joined %s in %.1fs", result.address, time.perf_counter() - started)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    quiet_ray()  # Ray Data set its own loggers up on import

    max_bytes = config.ingest.max_article_bytes
    rows = _read(ray, files, remote, with_stdin, stdin, max_bytes, walk_errors).materialize()
    errors: list[tuple[int, ArticleError]] = []
    origins: dict[str, str] = {}
    plan = IdPlan(is_complete=lambda article_id: is_complete(output_path(out_dir, article_id)))
    keep = _plan(rows, plan, errors, origins)
    result.skipped = len(plan.skipped)
    log.info("ray: read and planned at %.1fs: %d to brief, %d complete, %d errors",
             time.perf_counter() - started, len(keep), result.skipped, len(errors))

    # Nothing to brief (no input, or a resumed run with everything complete): no actor
    # starts, so no model is loaded.
    actors = result.actors = _actor_count(ray, config) if keep else 0
    briefed_rows = _brief(ray, rows, keep, config, out_dir, actors, started) if keep else []
    # A SIGTERM is an interrupt even where Ray Data caught it as a failed block and went on:
    # the run stops here, as for Ctrl-C, instead of listing the articles in flight as failed.
    raise_if_terminated()

    seen = set()
    for row in briefed_rows:
        seen.add(row["id"])
        if row.get("actor"):
            _add_actor_report(result, json.loads(row["actor"]))
        record = json.loads(row["record"])
        node = result.nodes.setdefault(row["node"], {"briefed": 0, "failed": 0})
        if row["status"] == "briefed":
            node["briefed"] += 1
            result.briefed.append(row["id"])
        else:
            node["failed"] += 1
            errors.append((keep.get(row["id"], 1 << 62), error_from_record(record)))
        if on_result is not None:
            on_result(row["status"])
    for article_id in sorted(set(keep) - seen, key=keep.__getitem__):
        errors.append((keep[article_id], ArticleError(
            f"{origins[article_id]}: the Ray worker briefing it failed after every retry "
            "(see the Ray logs); it was not briefed",
            reason="worker-failed", origin=origins[article_id], article_id=article_id)))
        if on_result is not None:
            on_result("failed")
    errors.sort(key=lambda pair: (pair[0], pair[1].origin))
    result.failed = [error for _, error in errors]
    result.seconds = time.perf_counter() - started

    def write_outputs() -> None:
        if write_parquet and result.briefed:
            _write_parquet(ray, out_dir, result.briefed)
        _write_errors(out_dir / ERRORS_FILE, result.failed)
        # The digest covers every complete briefing of the inputs: those of earlier runs
        # that this one skipped, and those it wrote.
        atomic_write_text(out_dir / DIGEST_FILE,
                          render_digest_md(_read_briefings(out_dir, plan.skipped + result.briefed),
                                           result.failed))
        result.seconds = time.perf_counter() - started

    finish_run(result, config, write_outputs)
    return result


def _add_actor_report(result: RayBatchResult, report: dict[str, Any]) -> None:
    """Add what an actor reported with a batch (its models, how long it took to load them,
    the translator's counters for the batch) to the run's result."""
    if result.models is None:
        result.models = report["models"]  # every actor runs the same configuration
    result.actor_load_seconds = max(result.actor_load_seconds or 0.0, report["load_seconds"])
    stats = result.translation_stats = result.translation_stats or {}
    for key, value in report["translation_stats"].items():
        stats[key] = stats.get(key, 0) + value


# -- plumbing ---------------------------------------------------------------------------------

def _brief(ray, rows, keep: dict[str, int], config: AppConfig, out_dir: Path, actors: int,
           started: float):
    """Prepare and brief the planned rows on ``actors`` actors; the result rows (``id``,
    ``status``, ``node``, ``record``)."""
    ctx = ray.data.DataContext.get_current()
    config_json = config.model_dump_json()
    # One block per batch of work, so that every actor gets some (a handful of input files
    # would otherwise be one block and one actor). Done now, before the actors reserve every
    # CPU of the cluster: a shuffle needs CPUs of its own.
    # Ray bundles blocks up to a batch before handing them to an actor, so a batch larger
    # than each actor's share would leave actors idle on a small run.
    batch = max(1, min(config.ray.batch_size, -(-len(keep) // actors)))
    blocks = max(actors, min(MAX_BLOCKS, -(-len(keep) // batch)))
    rows = rows.repartition(blocks).materialize()
    # From here on a block whose task still fails after Ray's retries (a worker killed
    # every time, a bug) is dropped instead of ending the run: its articles are listed as
    # failed below, and every other article is still briefed.
    tolerant, ctx.max_errored_blocks = ctx.max_errored_blocks, -1
    # No batch is handed out before every actor has loaded its models: otherwise the first
    # actor ready takes every batch of a short run while the others are still loading.
    waited, ctx.wait_for_min_actors_s = ctx.wait_for_min_actors_s, ACTORS_READY_S
    placement = None
    try:
        placement = _spread(ray, config, actors)
        # Preparing is light next to generation: its tasks reserve no CPU, so that they are not
        # starved by the actors, which reserve every CPU of the cluster between them.
        prepared = rows.map_batches(
            prepare_batch, batch_size=batch,
            fn_kwargs={"config_json": config_json, "keep": keep},
            num_cpus=0, compute=ray.data.TaskPoolStrategy(size=2))
        with warnings.catch_warnings():
            # Per-stage max_restarts is deprecated (Ray 2.60) with no named replacement yet;
            # this project pins Ray 2.60. Without it Ray Data retries forever.
            warnings.filterwarnings("ignore", message=".*ray_remote_args.* is deprecated")
            briefed = _brief_stage(ray, prepared, config, out_dir, actors, batch, placement)
        log.info("ray: %d actor(s) x %d thread(s) start at %.1fs", actors,
                 config.ray.threads_per_actor, time.perf_counter() - started)
        briefed = briefed.materialize()
        log.info("ray: briefed at %.1fs", time.perf_counter() - started)
        outcome = list(briefed.iter_rows())
    finally:
        ctx.max_errored_blocks = tolerant
        ctx.wait_for_min_actors_s = waited
        if placement is not None:
            ray.util.remove_placement_group(placement)
    return outcome


def _spread(ray, config: AppConfig, actors: int):
    """A placement group with one bundle per actor, spread over the nodes (as evenly as
    Ray can), so that the actors do not crowd onto the node with most free CPUs; None
    (Ray's default placement) when the cluster cannot hold it within ``PLACEMENT_S``."""
    bundle = {"CPU": float(config.ray.threads_per_actor)}
    if config.ray.gpus_per_actor:
        bundle["GPU"] = float(config.ray.gpus_per_actor)
    group = ray.util.placement_group([dict(bundle) for _ in range(actors)], strategy="SPREAD")
    try:
        ray.get(group.ready(), timeout=PLACEMENT_S)
    except ray.exceptions.GetTimeoutError:
        ray.util.remove_placement_group(group)
        log.warning("ray: the cluster cannot hold %d actor(s) now; they are placed as Ray "
                    "finds room", actors)
        return None
    return group


def _read(ray, files: list[str], remote: list[str], with_stdin: bool, stdin, max_bytes: int,
          walk_errors: list[ArticleError]):
    """Every input as rows (``id``, ``kind``, ``order``, ``payload``), read by Ray tasks."""
    parts = []
    if walk_errors:  # what the folder walk refused (links leaving the root, FIFOs, …)
        base = (len(files) + len(remote) + 2) * ORDER_STRIDE
        parts.append(ray.data.from_items([article_row(e, base + n)
                                          for n, e in enumerate(walk_errors)]))
    if files:
        items = [{"path": p, "index": i, "bytes": None} for i, p in enumerate(files)]
        parts.append(ray.data.from_items(items).flat_map(read_input,
                                                          fn_kwargs={"max_bytes": max_bytes}))
    if remote:
        # Each remote file gets its own index, in sorted order as the local walk does, so a
        # duplicate id is found as it is locally (the first one by input order is briefed).
        listed = _list_remote(remote)
        index = {_without_scheme(path): len(files) + n for n, path in enumerate(listed)}
        binary = ray.data.read_binary_files(listed, include_paths=True) if listed else None
        if binary is not None:
            parts.append(binary.map(lambda row: row | {
                "index": index.get(_without_scheme(row["path"]), len(files) + len(index))})
                .flat_map(read_input, fn_kwargs={"max_bytes": max_bytes}))
    if with_stdin:
        base = (len(files) + len(remote) + 1) * ORDER_STRIDE
        rows = [article_row(item, base + n)
                for n, item in enumerate(read_stdin(max_bytes=max_bytes, stream=stdin))]
        if rows:
            parts.append(ray.data.from_items(rows))
    if not parts:
        # No rows, with the columns the later stages read (limit: no UDF, no warning).
        return ray.data.from_items([{"id": "", "kind": "none", "order": 0, "payload": ""}]) \
            .limit(0)
    dataset = parts[0]
    for part in parts[1:]:
        dataset = dataset.union(part)
    return dataset


def _list_remote(uris: list[str]) -> list[str]:
    """The article files under remote URIs (a file, or a folder searched recursively),
    sorted, with the suffixes the local walk reads."""
    from pyarrow import fs

    found: list[str] = []
    for uri in uris:
        filesystem, root = fs.FileSystem.from_uri(uri)
        scheme = uri.split("://", 1)[0]
        info = filesystem.get_file_info(root)
        if info.type == fs.FileType.Directory:
            entries = filesystem.get_file_info(fs.FileSelector(root, recursive=True))
        else:
            entries = [info]
        for entry in entries:
            if entry.type == fs.FileType.NotFound:
                raise FileNotFoundError(uri)
            if entry.type == fs.FileType.File and entry.path.lower().endswith(SUFFIXES) \
                    and not Path(entry.path).name.startswith("."):
                found.append(f"{scheme}://{entry.path}")
    return sorted(found)


def _without_scheme(path: str) -> str:
    return path.split("://", 1)[-1]


def _read_briefings(out_dir: Path, ids: list[str]):
    """The briefings of ``ids`` from their ``<id>.json`` (one that cannot be read is logged
    and left out of the digest; it stays on disk)."""
    briefings = []
    for article_id in ids:
        path = output_path(out_dir, article_id)
        try:
            briefings.append(read_briefing(path))
        except (OSError, ValueError) as exc:
            log.warning("%s: left out of the digest: %s", path, exc)
    return briefings


def _plan(rows, plan: IdPlan, errors: list[tuple[int, ArticleError]],
          kept_origins: dict[str, str]) -> dict[str, int]:
    """Which row of each id to brief (id -> its ``order``), as ``plan`` decides in input
    order: read errors, reserved ids and later duplicates become errors, as in the local
    engine; ids whose output is complete are skipped (``plan.skipped``).
    ``kept_origins`` receives the origin of each id to brief.
    """
    articles: list[tuple[int, str, str]] = []
    for row in rows.iter_rows():  # one pass over the small read rows
        if row["kind"] == "error":
            errors.append((row["order"], error_from_record(json.loads(row["payload"]))))
        elif row["kind"] == "article":
            articles.append((row["order"], row["id"], json.loads(row["payload"])["origin"]))
    keep: dict[str, int] = {}
    for order, article_id, origin in sorted(articles):
        decision = plan.decide(article_id, origin)
        if isinstance(decision, ArticleError):
            errors.append((order, decision))
        elif decision == KEEP:
            keep[article_id] = order
            kept_origins[article_id] = origin
    return keep


def _brief_stage(ray, prepared, config: AppConfig, out_dir: Path, actors: int, batch: int,
                 placement=None):
    """The actor pool that translates, summarizes and writes (not yet executed); its
    actors go into the bundles of ``placement`` when given."""
    remote_args: dict[str, Any] = {}
    if placement is not None:
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        remote_args["scheduling_strategy"] = PlacementGroupSchedulingStrategy(placement)
    return prepared.map_batches(
        BriefActor,
        batch_size=batch,
        # One batch at a time per actor: otherwise the first actor to finish loading its
        # models takes several batches while the others are still loading.
        compute=ray.data.ActorPoolStrategy(size=actors, max_tasks_in_flight_per_actor=1),
        fn_constructor_kwargs={"config_json": _actor_config(config).model_dump_json(),
                               "out_dir": str(out_dir.resolve())},
        num_cpus=config.ray.threads_per_actor,
        num_gpus=config.ray.gpus_per_actor or None,
        # A killed actor is restarted and its batch retried, three times at most (Ray
        # Data's default is forever: an article that kills its worker would never end).
        max_restarts=3, max_task_retries=3,
        **remote_args,
    )


def _actor_config(config: AppConfig) -> AppConfig:
    """The configuration each actor runs with: its share of threads."""
    actor = config.model_copy(deep=True)
    actor.runtime.threads = config.ray.threads_per_actor
    return actor


def _actor_count(ray, config: AppConfig) -> int:
    if config.ray.actors:
        return config.ray.actors
    resources = ray.cluster_resources()
    if config.ray.gpus_per_actor:
        return max(1, int(resources.get("GPU", 0) // config.ray.gpus_per_actor))
    return max(1, int(resources.get("CPU", 1) // config.ray.threads_per_actor))


def _write_errors(path: Path, errors: list[ArticleError]) -> None:
    text = "".join(json.dumps(e.to_record(), ensure_ascii=False) + "\n" for e in errors)
    atomic_write_text(path, text)


def _write_parquet(ray, out_dir: Path, ids: list[str]) -> None:
    paths = [str(output_path(out_dir, i)) for i in sorted(ids)]
    ds = ray.data.from_items([{"path": p} for p in paths]).map(_briefing_row)
    target = out_dir / PARQUET_DIR
    clear = [p for p in target.glob("*.parquet")] if target.exists() else []
    for old in clear:
        old.unlink()
    ds.write_parquet(str(target))


def _briefing_row(row: dict[str, Any]) -> dict[str, Any]:
    briefing = read_briefing(Path(row["path"]))
    return {"id": briefing.id, "date": briefing.date, "title_en": briefing.title_en,
            "briefing_en": briefing.briefing_en, "url": briefing.url,
            "source": briefing.source,
            "briefing_json": json.dumps(briefing.to_dict(), ensure_ascii=False)}
