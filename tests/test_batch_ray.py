"""`briefing batch --engine ray`: the same outputs as the local engine, on a local Ray and on
a two-node cluster on this machine, resumable and exactly once.

These tests start Ray themselves (a local instance with two CPUs, a two-node cluster from
``ray.cluster_utils``, and one from two `ray start` processes with token authentication, as
docs/ray.md says) and use the tiny test models. They stop only the Ray processes they
started (never `ray stop`, which stops every Ray on the machine).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, tiny_config

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'briefing[ray]')")

from pipeline.batch.ray_engine import run_batch_ray  # noqa: E402
from pipeline.batch.run import run_batch  # noqa: E402
from pipeline.ingest.readers import read_inputs  # noqa: E402

pytestmark = pytest.mark.slow
VOLATILE = ("timings",)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Four sample articles, a JSONL file (one good record, one duplicate id, one broken
    line), an empty file and a link out of the folder."""
    folder = tmp_path_factory.mktemp("ray-in")
    articles = sorted((SAMPLES / "articles").glob("*.txt"))[:4]
    for path in articles:
        shutil.copy(path, folder / path.name)
    text = articles[0].read_text(encoding="utf-8")[14:]
    lines = [json.dumps({"id": "jsonl-one", "text": text}),
             json.dumps({"id": articles[1].stem, "text": text}),
             "{broken"]
    (folder / "more.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text(" date 2025-01 " + text, encoding="utf-8")
    (folder / "shadow.txt").symlink_to(outside)  # leaves the input root: refused
    return folder


def briefings(out: Path) -> dict[str, dict]:
    found = {}
    for path in out.glob("*.json"):
        if path.name == "run.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in VOLATILE:
            data.pop(key, None)
        found[path.stem] = data
    return found


def errors(out: Path) -> list[tuple[str, str, str]]:
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return sorted((r["id"] or "", r["origin"], r["reason"]) for r in map(json.loads, lines))


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def local_outputs(corpus, tiny_model_dirs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    config = tiny_config(tiny_model_dirs)
    run_batch(read_inputs([str(corpus)], max_bytes=config.ingest.max_article_bytes), out, config)
    return out


def test_ray_outputs_equal_the_local_engine(local_ray, corpus, local_outputs, tiny_model_dirs,
                                            tmp_path):
    out = tmp_path / "ray"
    config = tiny_config(tiny_model_dirs)
    result = run_batch_ray([str(corpus)], out, config)

    expected = briefings(local_outputs)
    assert len(expected) == 5  # four articles and the JSONL record
    assert briefings(out) == expected
    assert errors(out) == errors(local_outputs)
    assert {reason for _, _, reason in errors(out)} == {
        "duplicate-id", "malformed-jsonl", "empty", "symlink-outside"}
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    # One run record, whatever the engine: the local one's keys, models and counts.
    local_run = json.loads((local_outputs / "run.json").read_text(encoding="utf-8"))
    assert list(run) == list(local_run)
    assert run["complete"] is True and run["aborted"] is None
    assert run["models"] == local_run["models"]
    assert run["failures_by_reason"] == local_run["failures_by_reason"]
    assert run["translation_stats"]["pieces"] == local_run["translation_stats"]["pieces"] > 0
    assert run["engine"]["name"] == "ray" and run["briefed"] == 5 and run["failed"] == 4
    assert run["engine"]["actor_load_seconds"] > 0
    assert sum(node["briefed"] for node in run["engine"]["nodes"].values()) == 5
    assert run["throughput"]["articles_per_minute"] > 0
    assert (out / "digest.md").read_text(encoding="utf-8").count("\n## ") >= 5
    assert int(result.exit_code) == 1


def test_a_rerun_skips_everything_complete_and_redoes_what_is_missing(
        local_ray, corpus, tiny_model_dirs, tmp_path):
    out = tmp_path / "ray"
    config = tiny_config(tiny_model_dirs)
    run_batch_ray([str(corpus)], out, config)
    first = briefings(out)
    missing = sorted(first)[0]
    (out / f"{missing}.json").unlink()
    (out / f"{sorted(first)[1]}.json").write_text('{"schema_version": 1, "id": "x"', "utf-8")
    (out / ".left-over.json.abc.tmp").write_text("half", encoding="utf-8")

    result = run_batch_ray([str(corpus)], out, config)

    assert sorted(result.briefed) == sorted(first)[:2]  # the missing and the truncated one
    assert result.skipped == len(first) - 2
    assert briefings(out) == first
    assert not list(out.glob(".*.tmp"))

    again = run_batch_ray([str(corpus)], out, config)  # everything complete now

    assert again.briefed == [] and again.skipped == len(first)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["engine"]["actors"] == 0 and run["models"] is None  # no model loaded
    assert briefings(out) == first
    # Each run's digest covers every complete briefing, not only the ones it wrote.
    digest = (out / "digest.md").read_text(encoding="utf-8")
    assert f"{len(first)} article(s) briefed" in digest
    assert all(f"`{article_id}`" in digest for article_id in first)


def test_uri_inputs_are_read_by_ray_as_local_files_are(local_ray, corpus, local_outputs,
                                                       tiny_model_dirs, tmp_path):
    # A file:// URI goes through the remote path (listing with pyarrow, bytes read by Ray):
    # the same briefings, and the same errors (duplicate ids included) as the local walk.
    folder = tmp_path / "in"
    shutil.copytree(corpus, folder, ignore=shutil.ignore_patterns("shadow.txt"))
    (folder / "notes.md").write_text("not an article", encoding="utf-8")  # not read
    out = tmp_path / "ray"
    run_batch_ray([f"file://{folder}"], out, tiny_config(tiny_model_dirs))

    def without_origin(found: dict[str, dict]) -> dict[str, dict]:
        # "source" is where an article came from: another folder here.
        return {k: {f: v for f, v in b.items() if f != "source"} for k, b in found.items()}

    assert without_origin(briefings(out)) == without_origin(briefings(local_outputs))
    assert all(str(folder) in b["source"] for b in briefings(out).values())
    expected = {(i, reason) for i, _, reason in errors(local_outputs) if reason != "symlink-outside"}
    assert {(i, reason) for i, _, reason in errors(out)} == expected


def test_parquet_output_holds_every_briefing(local_ray, corpus, tiny_model_dirs, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "ray"
    run_batch_ray([str(corpus)], out, tiny_config(tiny_model_dirs), write_parquet=True)
    table = pq.read_table(out / "briefings.parquet")
    rows = {row["id"]: row for row in table.to_pylist()}
    assert rows.keys() == briefings(out).keys()
    for article_id, row in rows.items():
        assert json.loads(row["briefing_json"])["briefing_en"] == row["briefing_en"]
        assert row["briefing_en"] == briefings(out)[article_id]["briefing_en"]


def test_two_nodes_both_brief_articles(corpus, local_outputs, tiny_model_dirs, tmp_path):
    from ray.cluster_utils import Cluster

    if ray.is_initialized():
        ray.shutdown()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    try:
        ray.init(address=cluster.address, log_to_driver=False)
        cluster.wait_for_nodes()
        out = tmp_path / "ray"
        config = tiny_config(tiny_model_dirs, **{"ray.batch_size": 1, "ray.actors": 2})
        run_batch_ray([str(corpus)], out, config)
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        nodes = run["engine"]["nodes"]
        assert len(nodes) == 2
        assert all(node["briefed"] > 0 for node in nodes.values()), nodes
        assert briefings(out) == briefings(local_outputs)
    finally:
        ray.shutdown()
        cluster.shutdown()


def test_a_run_killed_midway_ends_exactly_once_when_rerun(corpus, local_outputs,
                                                          tiny_model_dirs, tmp_path):
    if ray.is_initialized():
        ray.shutdown()
    marian, bart = tiny_model_dirs
    out = tmp_path / "ray"
    command = [sys.executable, "-m", "pipeline.cli", "batch", str(corpus), "--out", str(out),
               "--engine", "ray", "--translator", str(marian), "--summarizer", str(bart),
               # the tests' path (tiny_config): transformers fp32
               "--set", "translation.model.backend=transformers",
               "--set", "summarization.model.backend=transformers",
               "--set", "ray.batch_size=1", "--set", "ray.actors=1", "--set", "runtime.device=cpu"]
    temp_root = _short_dir("bray-tmp")  # this run's Ray only, so that only it is stopped
    env = _clean_env(RAY_TMPDIR=str(temp_root))
    try:
        process = subprocess.Popen(command, env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and process.poll() is None:
            if len([p for p in out.glob("*.json") if p.name != "run.json"]) >= 1:
                break
            time.sleep(0.2)
        assert process.poll() is None, "the run ended before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        # Ray's own processes are not in the driver's process group: stop them too, so the
        # outputs below are all the killed run left.
        _kill_ray_under(temp_root)
        killed_with = set(briefings(out))
        assert 1 <= len(killed_with) < 5

        rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)

        assert rerun.returncode == 1, rerun.stderr  # the corpus has bad inputs
        assert briefings(out) == briefings(local_outputs)
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        assert run["skipped_complete"] == len(killed_with)
        assert run["briefed"] == 5 - len(killed_with)
        assert not list(out.glob(".*.tmp"))
    finally:
        _kill_ray_under(temp_root)
        shutil.rmtree(temp_root, ignore_errors=True)


def test_a_worker_killed_mid_batch_is_retried_and_every_article_ends_once(
        corpus, local_outputs, tiny_model_dirs, tmp_path):
    """SIGKILL the briefing actor's process while the run goes on: Ray restarts the actor and
    retries its batch, and the run still briefs every article exactly once."""
    import threading

    if ray.is_initialized():
        ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    out = tmp_path / "ray"
    config = tiny_config(tiny_model_dirs, **{"ray.batch_size": 1, "ray.actors": 1})
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = run_batch_ray([str(corpus)], out, config)
        except BaseException as exc:  # surfaced by the assertions below
            outcome["error"] = exc

    worker = threading.Thread(target=run)
    try:
        worker.start()
        killed = []
        deadline = time.monotonic() + 600
        while not killed and worker.is_alive() and time.monotonic() < deadline:
            # Kill once the actor has written a briefing and holds the next batch.
            if any(p.name != "run.json" for p in out.glob("*.json")):
                for pid in _actor_processes("BriefActor"):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.02)
        assert killed, "no briefing actor process was found to kill"
        assert worker.is_alive(), "the run ended before its actor could be killed"
        worker.join(timeout=600)
    finally:
        ray.shutdown()

    assert "error" not in outcome, outcome.get("error")
    assert briefings(out) == briefings(local_outputs)
    assert errors(out) == errors(local_outputs)
    run_record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_record["briefed"] == len(briefings(local_outputs))
    assert not list(out.glob(".*.tmp"))


def _actor_processes(name: str) -> list[int]:
    """Ray worker processes whose title (``ray::MapWorker(MapBatches(BriefActor))``) names
    ``name``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("ray::") and name in title:
            found.append(int(entry.name))
    return found


def test_an_empty_input_folder_ends_as_the_local_engine_does(local_ray, tiny_model_dirs,
                                                             tmp_path):
    empty = tmp_path / "in"
    empty.mkdir()
    config = tiny_config(tiny_model_dirs)
    local = run_batch(read_inputs([str(empty)], max_bytes=config.ingest.max_article_bytes),
                      tmp_path / "local", config)

    result = run_batch_ray([str(empty)], tmp_path / "ray", config)

    assert result.exit_code == local.exit_code
    assert result.briefed == [] and result.skipped == 0
    run = json.loads((tmp_path / "ray" / "run.json").read_text(encoding="utf-8"))
    assert run["briefed"] == 0 and run["failed"] == 0
    assert run["engine"]["actors"] == 0  # nothing to brief: no actor started, no model loaded
    assert run["models"] is None
    assert (tmp_path / "ray" / "errors.jsonl").read_text(encoding="utf-8") == ""


def test_parquet_with_typed_columns_is_briefed_on_ray(local_ray, tiny_model_dirs, tmp_path):
    # A datasets export's timestamp/bytes/decimal columns ended the Ray run with exit 4.
    import datetime
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "in"
    folder.mkdir()
    text = sorted((SAMPLES / "articles").glob("*.txt"))[0].read_text(encoding="utf-8")[14:]
    pq.write_table(pa.table({
        "id": ["p1"], "text": [text],
        "date": pa.array([datetime.date(2024, 3, 1)], pa.date32()),
        "fetched": pa.array([datetime.datetime(2024, 3, 1, 12, 30)], pa.timestamp("us")),
        "raw": pa.array([b"\xff"], pa.binary()),
        "price": pa.array([decimal.Decimal("1.50")], pa.decimal128(5, 2)),
    }), folder / "export.parquet")
    out = tmp_path / "ray"
    result = run_batch_ray([str(folder)], out, tiny_config(tiny_model_dirs))
    assert result.briefed == ["p1"] and int(result.exit_code) == 0
    written = json.loads((out / "p1.json").read_text(encoding="utf-8"))
    assert written["date"] == "2024-03-01"
    assert written["extra"] == {"fetched": "2024-03-01T12:30:00", "raw": "/w==", "price": "1.50"}


# -- joining a cluster started with `ray start`, as docs/ray.md says; cleaning up after a kill --

RAY_BIN = Path(sys.executable).parent / "ray"


def _cli(tiny_model_dirs, *args: str) -> list[str]:
    marian, bart = tiny_model_dirs
    return [sys.executable, "-m", "pipeline.cli", "batch", *args,
            "--translator", str(marian), "--summarizer", str(bart),
            "--set", "translation.model.backend=transformers",
            "--set", "summarization.model.backend=transformers",
            "--set", "runtime.device=cpu", "--set", "runtime.offline=true"]


def _clean_env(**extra: str) -> dict[str, str]:
    """This environment without any Ray authentication or address setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RAY_AUTH", "RAY_ADDRESS", "RAY_TMPDIR"))}
    return env | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])} | extra


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _short_dir(prefix: str) -> Path:
    """A folder with a short path: Ray's unix sockets live under its temp folder."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


def _kill_ray_under(root: Path) -> None:
    """Kill every process of every Ray session under ``root`` (never `ray stop`, which
    stops every Ray on the machine)."""
    from pipeline.batch.ray_cluster import _kill_session

    _kill_session(root)


def _ray_start(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([str(RAY_BIN), "start", *args, "--num-cpus=1",
                           "--disable-usage-stats"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_cluster_recipe_works_with_token_authentication(
        corpus, local_outputs, tiny_model_dirs, tmp_path):
    """A head and a second node started with `ray start` (token authentication on, as Ray
    2.60 does once a token exists), then `briefing batch --ray-address HOST:PORT`."""
    if ray.is_initialized():
        ray.shutdown()
    head_home, driver_home = tmp_path / "head-home", tmp_path / "no-token-home"
    head_home.mkdir()
    driver_home.mkdir()
    head_dir, node_dir = _short_dir("bray-head"), _short_dir("bray-node")
    port = _free_port()
    address = f"127.0.0.1:{port}"
    head_env = _clean_env(HOME=str(head_home), RAY_AUTH_MODE="token")
    try:
        # docs/ray.md: on the head, `ray get-auth-token --generate` (~/.ray/auth_token), then
        # `RAY_AUTH_MODE=token ray start --head`.
        token = subprocess.run([str(RAY_BIN), "get-auth-token", "--generate"], env=head_env,
                               capture_output=True, text=True, timeout=120, check=True).stdout
        assert (head_home / ".ray" / "auth_token").read_text(encoding="utf-8") == token
        _ray_start(head_env, "--head", f"--port={port}", f"--temp-dir={head_dir}",
                   "--include-dashboard=false")
        # docs/ray.md: on every other node, the head's token and RAY_AUTH_MODE=token.
        _ray_start(_clean_env(HOME=str(driver_home), RAY_AUTH_MODE="token",
                              RAY_AUTH_TOKEN=token),
                   f"--address={address}", f"--temp-dir={node_dir}")

        # A driver without the token: one sentence saying what is missing, exit 2.
        out = tmp_path / "ray"
        command = _cli(tiny_model_dirs, str(corpus), "--out", str(out), "--engine", "ray",
                       "--ray-address", address, "--set", "ray.batch_size=1",
                       "--set", "ray.actors=2")
        refused = subprocess.run(command, env=_clean_env(HOME=str(driver_home)),
                                 capture_output=True, text=True, timeout=600)
        assert refused.returncode == 2, refused.stderr
        assert "token authentication" in refused.stderr and address in refused.stderr
        assert "RAY_AUTH_TOKEN" in refused.stderr and "Traceback" not in refused.stderr
        assert not list(out.glob("*.json"))

        # The driver on the head (the token in ~/.ray/auth_token, RAY_AUTH_MODE unset).
        joined = subprocess.run(command, env=_clean_env(HOME=str(head_home)),
                                capture_output=True, text=True, timeout=600)

        assert joined.returncode == 1, joined.stderr  # the corpus has bad inputs
        assert briefings(out) == briefings(local_outputs)
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        nodes = run["engine"]["nodes"]
        assert len(nodes) == 2, nodes
        assert all(node["briefed"] > 0 for node in nodes.values()), nodes
        assert "2 node(s)" in joined.stderr
    finally:
        _kill_ray_under(node_dir)
        _kill_ray_under(head_dir)
        shutil.rmtree(node_dir, ignore_errors=True)
        shutil.rmtree(head_dir, ignore_errors=True)


def test_a_cluster_that_does_not_answer_fails_within_the_timeout(tiny_model_dirs, tmp_path):
    """A port that accepts connections but never answers (Ray alone retries for about ten
    minutes): exit 2 after ``ray.connect_timeout_s``, naming the address."""
    import socket

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(sorted((SAMPLES / "articles").glob("*.txt"))[0], folder)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nothing ever replies
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        done = subprocess.run(
            _cli(tiny_model_dirs, str(folder), "--out", str(tmp_path / "out"), "--engine",
                 "ray", "--ray-address", address, "--set", "ray.connect_timeout_s=3"),
            env=_clean_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert address in done.stderr and "within 3s" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_rerun_stops_what_a_killed_run_left_of_its_local_ray(corpus, tiny_model_dirs,
                                                               tmp_path):
    """SIGKILL the CLI once its local Ray is up: Ray's agents outlive it. The next run stops
    them, and a run that ends normally leaves no Ray process behind."""
    from pipeline.batch.ray_cluster import DRIVER_FILE, _start_time, session_processes

    if ray.is_initialized():
        ray.shutdown()
    temp_root = _short_dir("bray-tmp")
    env = _clean_env(RAY_TMPDIR=str(temp_root))
    try:
        killed = subprocess.Popen(
            _cli(tiny_model_dirs, str(corpus), "--out", str(tmp_path / "first"), "--engine",
                 "ray", "--set", "ray.actors=1"),
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        first = []
        while not first and killed.poll() is None and time.monotonic() < deadline:
            first = [p.parent for p in temp_root.glob(f"ray/session_*/{DRIVER_FILE}")
                     if not p.parent.is_symlink()]  # not session_latest
            time.sleep(0.2)
        assert first, "the run ended before its Ray was up"
        while not _agents(first[0]) and killed.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)  # Ray's agents start after ray.init returns
        assert _agents(first[0]), "the run ended before Ray's agents started"
        killed.kill()
        killed.wait()
        left = session_processes(first[0])
        assert left, "nothing of the killed run's Ray was left to clean up"

        empty = tmp_path / "empty"
        empty.mkdir()
        rerun = subprocess.run(
            _cli(tiny_model_dirs, str(empty), "--out", str(tmp_path / "second"), "--engine",
                 "ray"), env=env, capture_output=True, text=True, timeout=600)

        assert rerun.returncode == 0, rerun.stderr
        alive = [pid for pid in left if _start_time(pid) is not None]
        assert alive == [], [Path(f"/proc/{p}/cmdline").read_bytes() for p in alive]
        assert session_processes(temp_root) == []  # the re-run stopped its own Ray too
    finally:
        _kill_ray_under(temp_root)
        shutil.rmtree(temp_root, ignore_errors=True)


def _agents(session_dir: Path) -> list[int]:
    """The ``ray::…Agent`` processes of a Ray session."""
    from pipeline.batch.ray_cluster import session_processes

    found = []
    for pid in session_processes(session_dir):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"ray::") and b"Agent" in title:
            found.append(pid)
    return found


def test_sigterm_ends_a_run_and_stops_the_local_ray_it_started(corpus, tiny_model_dirs,
                                                                tmp_path):
    from pipeline.batch.ray_cluster import DRIVER_FILE, session_processes

    if ray.is_initialized():
        ray.shutdown()
    temp_root = _short_dir("bray-tmp")
    try:
        run = subprocess.Popen(
            _cli(tiny_model_dirs, str(corpus), "--out", str(tmp_path / "out"), "--engine",
                 "ray", "--set", "ray.actors=1"),
            env=_clean_env(RAY_TMPDIR=str(temp_root)), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 600
        session: list[Path] = []
        while not (session and _agents(session[0])) and run.poll() is None \
                and time.monotonic() < deadline:
            session = [p.parent for p in temp_root.glob(f"ray/session_*/{DRIVER_FILE}")
                       if not p.parent.is_symlink()]
            time.sleep(0.2)
        assert session and _agents(session[0]), "the run ended before its Ray was up"
        run.terminate()
        _, stderr = run.communicate(timeout=300)

        assert run.returncode == 130, stderr[-3000:]
        assert "interrupted" in stderr and "Traceback" not in stderr
        assert "SIGTERM received" not in stderr  # Python had it, not Ray's native crash handler
        assert session_processes(temp_root) == []  # its Ray is stopped, agents included
    finally:
        _kill_ray_under(temp_root)
        shutil.rmtree(temp_root, ignore_errors=True)
