"""Every input folder of every command is walked by the batch's one folder walk
(pipeline/ingest/walk.py, issue 18): a FIFO is never opened (it would block forever), a link
out of the folder (to /dev/zero, to /etc/passwd, to another desk's files) is never followed
(tested with a link to a regular file: a regression must not read /dev/zero here);
each is a per-item error and the rest is read."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core.errors import EvalInputError
from pipeline.evaluation.inputs.loaders import load_predictions, load_references, load_sources
from tests.hostile.test_eval import REFERENCE_EN, TRANSLATIONS, make_inputs
from tests.test_check_cli import _briefing

runner = CliRunner()
FAITHFUL = "A sea dike near Kruiningen gave way and some 1,200 residents were evacuated."


@contextlib.contextmanager
def _never_blocks(fifo: Path):
    """Should the code under test open ``fifo``, end its wait (the test then fails, not hangs)."""
    done = threading.Event()

    def unblock():
        while not done.wait(3):
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=unblock, daemon=True).start()
    try:
        yield
    finally:
        done.set()


def _batch_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "briefings"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps(_briefing("good", [FAITHFUL])),
                                      encoding="utf-8")
    return folder


def test_check_never_opens_a_fifo_in_a_folder(tmp_path):
    folder = _batch_dir(tmp_path)
    os.mkfifo(folder / "pipe.json")
    with _never_blocks(folder / "pipe.json"):
        result = runner.invoke(app, ["check", str(folder), "--no-spacy", "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "pipe.json" in result.stderr and "FIFO" in result.stderr
    assert list(json.loads(result.stdout)) == ["good"]


def test_check_never_follows_a_link_out_of_a_folder(tmp_path):
    folder = _batch_dir(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(_briefing("secret", [FAITHFUL])), encoding="utf-8")
    (folder / "secret.json").symlink_to(elsewhere)
    result = runner.invoke(app, ["check", str(folder), "--no-spacy", "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "outside the input folder" in result.stderr
    assert "secret.json" in result.stderr
    assert list(json.loads(result.stdout)) == ["good"]


def test_check_follows_a_link_inside_its_folder_and_skips_run_files(tmp_path):
    folder = _batch_dir(tmp_path)
    (folder / "alias.json").symlink_to(folder / "good.json")
    (folder / "run.json").write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["check", str(folder), "--no-spacy", "--format", "json"])
    assert "outside" not in result.stderr and "run.json" not in result.stderr
    assert list(json.loads(result.stdout)) == ["good"]  # the alias is the same id: one check


@pytest.mark.parametrize("folder", ["batch", "refs", "sources"])
def test_eval_folders_never_follow_a_link_out(tmp_path, folder):
    paths = make_inputs(tmp_path, TRANSLATIONS)
    paths["sources"] = paths["batch"]
    target = paths[folder]
    outside = tmp_path / "outside"
    outside.mkdir()
    name = "d.txt" if folder == "refs" else "d.json"
    record = {"schema_version": 1, "id": "d", "briefing_en": REFERENCE_EN["a"],
              "translation_en": TRANSLATIONS["a"], "sentences": []}
    (outside / name).write_text(REFERENCE_EN["a"] if folder == "refs" else json.dumps(record),
                                encoding="utf-8")
    (target / name).symlink_to(outside / name)
    load = {"batch": lambda: load_predictions(str(target)),
            "refs": lambda: load_references(target),
            "sources": lambda: load_sources([target])}[folder]
    with pytest.raises(EvalInputError, match="outside the input folder"):
        load()


def test_eval_folders_never_open_a_fifo(tmp_path):
    paths = make_inputs(tmp_path, TRANSLATIONS)
    os.mkfifo(paths["refs"] / "pipe.txt")
    with _never_blocks(paths["refs"] / "pipe.txt"), \
            pytest.raises(EvalInputError, match="FIFO"):
        load_references(paths["refs"])
