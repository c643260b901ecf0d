"""The rules every batch engine shares (pipeline/batch/plan.py, pipeline/batch/record.py):
the plan step, the run record, the environment rule, the stale temporary-file sweep, the
failure counts and the closing line, each tested once here on the shared function. That the
Ray engine's run.json has the local one's keys is tested on a real Ray run in
tests/test_batch_ray.py."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from pipeline.batch.plan import COMPLETE, KEEP, IdPlan, plan_items
from pipeline.batch.ray_engine import RayBatchResult
from pipeline.batch.record import (
    ERRORS_FILE,
    RUN_FILE,
    BatchResult,
    RunRecord,
    closing_line,
    finish_run,
    write_run_record,
)
from pipeline.batch.run import run_batch
from pipeline.core.config import AppConfig
from pipeline.core.errors import ArticleError, count_reasons, is_environment_error
from pipeline.core.fileio import atomic_write_text, remove_stale_temporaries
from pipeline.ingest.article import Article


def _error(reason: str, article_id: str = "x") -> ArticleError:
    return ArticleError(f"{article_id}: {reason}", reason=reason, origin=f"in/{article_id}",
                        article_id=article_id)


# -- the plan step --------------------------------------------------------------------------

def test_the_plan_keeps_the_first_of_an_id_and_refuses_reserved_and_repeated_ids():
    plan = IdPlan(is_complete=lambda article_id: article_id == "done-before")

    decisions = [plan.decide(i, f"in/{n}") for n, i in
                 enumerate(["a", "Run", "a", "done-before", "errors", "b", "done-before"])]

    assert decisions[0] == KEEP and decisions[5] == KEEP
    assert decisions[3] == COMPLETE and plan.skipped == ["done-before"]
    errors = [d for d in decisions if isinstance(d, ArticleError)]
    assert [(e.article_id, e.reason, e.origin) for e in errors] == [
        ("Run", "reserved-id", "in/1"), ("a", "duplicate-id", "in/2"),
        ("errors", "reserved-id", "in/4"), ("done-before", "duplicate-id", "in/6")]
    assert "first seen in in/0" in str(errors[1])  # names where the kept one came from


def test_a_streaming_plan_passes_read_errors_and_drops_complete_articles():
    read_error = _error("empty", "e")
    items = [Article(id="a", text="t", origin="f:1"), read_error,
             Article(id="a", text="t", origin="f:2"), Article(id="old", text="t", origin="f:3")]

    out = list(plan_items(items, IdPlan(is_complete=lambda article_id: article_id == "old")))

    assert out[0] is items[0] and out[1] is read_error
    assert isinstance(out[2], ArticleError) and out[2].reason == "duplicate-id"
    assert len(out) == 3  # "old" is complete: skipped


# -- the small rules ------------------------------------------------------------------------

def test_only_the_machines_failures_are_environment_errors():
    assert is_environment_error(OSError(errno.ENOSPC, "No space left on device"))
    assert is_environment_error(PermissionError(errno.EACCES, "Permission denied"))
    assert not is_environment_error(FileNotFoundError(errno.ENOENT, "No such file"))
    assert not is_environment_error(ValueError("not an OSError"))


def test_failures_are_counted_by_reason_in_the_order_each_first_occurs():
    assert count_reasons(["empty", "binary", "empty", "not-dutch"]) == {
        "empty": 2, "binary": 1, "not-dutch": 1}
    assert list(count_reasons(["b", "a", "b"])) == ["b", "a"]
    assert count_reasons([]) == {}


def test_the_sweep_removes_only_the_atomic_writers_leftovers(tmp_path):
    night = tmp_path / "2025-03-01"
    night.mkdir()
    atomic_write_text(tmp_path / "kept.json", "{}")
    for stale in (tmp_path / ".a.json.x1.tmp", night / ".b.json.x2.tmp"):
        stale.write_text("half", encoding="utf-8")
    (tmp_path / "notes.tmp").write_text("not hidden: not ours", encoding="utf-8")

    assert remove_stale_temporaries(tmp_path) == 1
    assert (night / ".b.json.x2.tmp").exists()  # one level down only with depth=1
    assert remove_stale_temporaries(tmp_path, depth=1) == 1
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["kept.json",
                                                                          "notes.tmp"]
    assert remove_stale_temporaries(tmp_path / "missing") == 0


def test_the_local_engine_sweeps_what_a_killed_run_left(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".a.json.abc123.tmp").write_text("half a briefing", encoding="utf-8")

    # Only a read error: no model is loaded, the run files are still written.
    result = run_batch([_error("empty", "e")], out, AppConfig())

    assert not list(out.glob(".*.tmp"))
    assert result.failed and (out / RUN_FILE).exists()


# -- the run record -------------------------------------------------------------------------

def test_every_engine_writes_the_same_record_with_its_details_in_one_slot(tmp_path):
    config = AppConfig()
    local = BatchResult(out_dir=tmp_path / "local", briefed=["a", "b"],
                        failed=[_error("empty"), _error("binary"), _error("empty")],
                        seconds=30.0, started_at="2025-03-01T00:00:00+00:00")
    ray = RayBatchResult(out_dir=tmp_path / "ray", briefed=["a"], seconds=60.0, skipped=2,
                         address="127.0.0.1:6379", actors=2,
                         nodes={"n1": {"briefed": 1, "failed": 0}})

    records = {}
    for result in (local, ray):
        path = write_run_record(result, config)
        records[result.engine_details()["name"]] = json.loads(path.read_text("utf-8"))

    assert list(records["local"]) == list(records["ray"]) == list(
        RunRecord.__dataclass_fields__)
    assert records["local"]["engine"] == {"name": "local"}
    assert records["ray"]["engine"] == {"name": "ray", "address": "127.0.0.1:6379",
                                        "actors": 2, "actor_load_seconds": None,
                                        "nodes": {"n1": {"briefed": 1, "failed": 0}}}
    assert records["local"]["failures_by_reason"] == {"empty": 2, "binary": 1}
    assert records["local"]["throughput"] == {"articles_per_minute": 4.0}
    assert records["ray"]["skipped_complete"] == 2
    assert records["ray"]["load_seconds"] is None  # each actor loads its own models
    assert records["local"]["complete"] is True and records["local"]["aborted"] is None


def test_an_environment_failure_writing_the_run_files_is_recorded_and_raised_once(tmp_path):
    result = BatchResult(out_dir=tmp_path, briefed=["a"])
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "digest.md"))

    def write_outputs():
        raise full

    with pytest.raises(OSError) as raised:
        finish_run(result, AppConfig(), write_outputs)

    assert raised.value is full and result.aborted is full
    run = json.loads((tmp_path / RUN_FILE).read_text(encoding="utf-8"))
    assert run["complete"] is False and run["briefed"] == 1
    assert run["aborted"] == f"No space left on device ({tmp_path / 'digest.md'})"


def test_a_failure_that_is_not_the_environments_is_raised_and_not_recorded(tmp_path):
    def write_outputs():
        raise FileNotFoundError(errno.ENOENT, "No such file or directory")

    with pytest.raises(FileNotFoundError):
        finish_run(BatchResult(out_dir=tmp_path), AppConfig(), write_outputs)
    assert not (tmp_path / RUN_FILE).exists()


def test_a_batch_that_already_stopped_still_records_itself_and_raises_its_cause(tmp_path):
    cause = OSError(errno.EROFS, "Read-only file system", "b.json")
    result = BatchResult(out_dir=tmp_path, aborted=cause)
    written = []

    with pytest.raises(OSError) as raised:
        finish_run(result, AppConfig(), lambda: written.append("outputs"))

    assert raised.value is cause and written == ["outputs"]
    run = json.loads((tmp_path / RUN_FILE).read_text(encoding="utf-8"))
    assert run["complete"] is False and run["aborted"] == "Read-only file system (b.json)"


# -- the closing line -----------------------------------------------------------------------

def test_one_closing_line_for_every_engine(tmp_path):
    local = BatchResult(out_dir=tmp_path, briefed=["a", "b"], failed=[_error("empty")],
                        seconds=3.04, load_seconds=1.26)
    ray = RayBatchResult(out_dir=tmp_path, briefed=["a"], seconds=12.0, skipped=4,
                         nodes={"n1": {}, "n2": {}})

    assert closing_line(local) == (
        f"Briefed 2 of 3 article(s) into {tmp_path} in 3.0s (after 1.3s loading the models);"
        f" 1 failed (see {Path(tmp_path) / ERRORS_FILE})")
    assert closing_line(ray) == (f"Briefed 1 of 1 article(s) into {tmp_path} on Ray "
                                 "(2 node(s)) in 12.0s; 4 already complete, skipped")
