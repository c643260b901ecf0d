"""Hostile input and broken environments for `briefing batch` / `summarize` (issue 12)."""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import REPO, SAMPLES

runner = CliRunner()


def _models(tiny_model_dirs) -> list[str]:
    marian, bart = tiny_model_dirs
    return ["--translator", str(marian), "--summarizer", str(bart)]


def _text(index: int = 0) -> str:
    path = sorted((SAMPLES / "articles").glob("*.txt"))[index]
    return path.read_text(encoding="utf-8")[14:]


def _jsonl(path: Path, records: list[dict | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _batch(tiny_model_dirs, *args: str):
    return runner.invoke(app, ["batch", *args, *_models(tiny_model_dirs)])


def _outputs(out: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in out.glob("*.json") if p.name != "run.json"}


def test_deeply_nested_line_does_not_stop_the_batch(tmp_path, tiny_model_dirs):
    source = _jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": _text(0)},
                                           "[" * 100_000 + "]" * 100_000,
                                           {"id": "c", "text": _text(1)}])
    out = tmp_path / "out"
    result = _batch(tiny_model_dirs, str(source), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert set(_outputs(out)) == {"a.json", "c.json"}
    (error,) = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert error["origin"].endswith(":2") and error["reason"] == "malformed-jsonl"


def test_colliding_long_and_non_ascii_ids_all_get_their_own_file(tmp_path, tiny_model_dirs):
    ids = ["a/b", "a_b", "één", "日本", "x" * 300]
    source = _jsonl(tmp_path / "in.jsonl", [{"id": i, "text": _text(n % 3)}
                                           for n, i in enumerate(ids)])
    out = tmp_path / "out"
    result = _batch(tiny_model_dirs, str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    outputs = _outputs(out)
    assert sorted(o["id"] for o in outputs.values()) == sorted(ids)
    assert all(len(name) <= 205 for name in outputs)


def test_unwritable_out_is_exit_2_before_models_load(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    source = _jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": _text(0)}])
    # A model that does not exist: the output check must come first.
    result = runner.invoke(app, ["batch", str(source), "--out", str(blocker / "out"),
                                 "--translator", "org/not-downloaded", "--summarizer",
                                 "org/not-downloaded"])
    assert result.exit_code == 2, result.output
    assert "cannot write to the output directory" in result.output


def test_disk_full_mid_batch_ends_cleanly_with_the_work_recorded(tmp_path, tiny_model_dirs,
                                                                  monkeypatch):
    import pipeline.record.briefing as record  # the one writer of <id>.json

    real_write = record.atomic_write_json

    def write(path, data):
        # Fault injection: the disk fills up when the second briefing is written.
        if Path(path).name == "b.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data)

    monkeypatch.setattr(record, "atomic_write_json", write)
    source = _jsonl(tmp_path / "in.jsonl", [{"id": i, "text": _text(n)}
                                           for n, i in enumerate("abc")])
    out = tmp_path / "out"
    result = _batch(tiny_model_dirs, str(source), "--out", str(out), "--window", "1")
    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output
    assert result.output.count("No space left on device") == 1
    assert set(_outputs(out)) == {"a.json"}
    run = json.loads((out / "run.json").read_text())
    assert run["complete"] is False and run["briefed"] == 1
    assert "No space left on device" in run["aborted"]
    assert (out / "errors.jsonl").exists()


def test_overwrite_removes_the_earlier_runs_outputs(tmp_path, tiny_model_dirs):
    out = tmp_path / "out"
    first = _jsonl(tmp_path / "first.jsonl", [{"id": "old", "text": _text(0)}])
    assert _batch(tiny_model_dirs, str(first), "--out", str(out)).exit_code == 0
    second = _jsonl(tmp_path / "second.jsonl", [{"id": "new", "text": _text(1)}])
    result = _batch(tiny_model_dirs, str(second), "--out", str(out), "--overwrite")
    assert result.exit_code == 0, result.output
    assert set(_outputs(out)) == {"new.json"}


def test_symlink_out_of_the_input_folder_is_recorded_not_briefed(tmp_path, tiny_model_dirs):
    secret = tmp_path / "secret.txt"
    secret.write_text("The secret root password is hunter2 and must never be briefed. " * 3)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "shadow.txt").symlink_to(secret)
    (folder / "ok.txt").write_text(_text(0), encoding="utf-8")
    out = tmp_path / "out"
    result = _batch(tiny_model_dirs, str(folder), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert set(_outputs(out)) == {"ok.json"}
    (error,) = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert error["reason"] == "symlink-outside" and error["id"] == "shadow"
    assert not any("hunter2" in p.read_text() for p in out.iterdir())


def test_unreadable_folder_as_the_only_input_does_not_exit_0(tmp_path, tiny_model_dirs,
                                                            monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        # Running as root, chmod cannot lock a folder: inject the EACCES a user would get.
        if Path(path) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = _batch(tiny_model_dirs, str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert "Briefed 0 of 1" in result.output


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_follow_the_umask(tmp_path, tiny_model_dirs, mask, mode):
    source = _jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": _text(0)}])
    out = tmp_path / "out"
    old = os.umask(mask)
    try:
        result = _batch(tiny_model_dirs, str(source), "--out", str(out))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert modes == dict.fromkeys(["a.json", "run.json", "digest.md", "errors.jsonl"], mode)


def test_closed_stdin_is_one_sentence():
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "summarize", "-"],
                          capture_output=True, text=True, cwd=REPO, timeout=120,
                          stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0),
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "standard input is closed" in proc.stderr


def test_summarize_does_not_print_terminal_escapes(tmp_path, tiny_model_dirs):
    article = tmp_path / "evil\x1b]0;owned\x07\x1b[2J.txt"
    article.write_text(_text(0), encoding="utf-8")
    result = runner.invoke(app, ["summarize", str(article), *_models(tiny_model_dirs)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b" in result.stdout


def test_batch_without_a_terminal_logs_progress_lines(tmp_path, tiny_model_dirs):
    source = _jsonl(tmp_path / "in.jsonl", [{"id": i, "text": _text(n)}
                                           for n, i in enumerate("ab")])
    result = _batch(tiny_model_dirs, str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "progress: 2 of 2 article(s) done (0 failed)" in result.stderr


def test_verbose_shows_what_the_batch_is_doing(tmp_path, tiny_model_dirs, caplog):
    source = _jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": _text(0)}])
    caplog.set_level(logging.DEBUG, logger="pipeline")
    result = runner.invoke(app, ["-v", "batch", str(source), "--out", str(tmp_path / "out"),
                                 *_models(tiny_model_dirs)])
    assert result.exit_code == 0, result.output
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("pipeline")]
    assert "loading the models" in messages
    assert any(m.startswith("briefed: a") for m in messages)


def test_parquet_with_typed_columns_is_briefed_whole(tmp_path, tiny_model_dirs):
    # A datasets export: a timestamp, bytes and a decimal next to id/text, a typed date.
    import datetime
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "export.parquet"
    pq.write_table(pa.table({
        "id": ["a", "b"], "text": [_text(0), _text(1)],
        "date": pa.array([datetime.date(2024, 3, 1), datetime.date(2024, 3, 2)], pa.date32()),
        "fetched": pa.array([datetime.datetime(2024, 3, 1, 12, 30)] * 2, pa.timestamp("us")),
        "raw": pa.array([b"\xff", b"\x00"], pa.binary()),
        "price": pa.array([decimal.Decimal("1.50")] * 2, pa.decimal128(5, 2)),
    }), source)
    out = tmp_path / "out"
    result = _batch(tiny_model_dirs, str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    outputs = _outputs(out)
    assert set(outputs) == {"a.json", "b.json"}
    assert outputs["a.json"]["date"] == "2024-03-01"
    assert outputs["a.json"]["extra"] == {"fetched": "2024-03-01T12:30:00", "raw": "/w==",
                                          "price": "1.50"}
    assert json.loads((out / "run.json").read_text())["briefed"] == 2


def test_only_unreadable_inputs_load_no_model(tmp_path):
    # The model folders do not exist: loading them would end the run with exit 2.
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(tmp_path / "empty.txt"), str(tmp_path / "binary.txt"),
                                 "--out", str(out), "--translator", str(tmp_path / "no-marian"),
                                 "--summarizer", str(tmp_path / "no-bart")])
    assert result.exit_code == 1, result.output
    reasons = [json.loads(line)["reason"] for line in (out / "errors.jsonl").read_text().splitlines()]
    assert reasons == ["empty", "binary"]
    run = json.loads((out / "run.json").read_text())
    assert (run["briefed"], run["failed"], run["models"]) == (0, 2, None)
