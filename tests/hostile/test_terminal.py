"""Terminal escapes (issue 18): ids, claims, titles and messages from the data reach a
terminal in every command's text output; none may drive it (ESC sequences, the RTL override
U+202E, NUL, C1 controls). One writer (pipeline/cli/terminal.py) shows each as a visible
escape; JSON output stays the same data."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.cli.events import ConsoleEvents, JsonLines
from tests.test_check_cli import EN, FAITHFUL, INVENTED

runner = CliRunner()
# A title change, a clear screen, a C1 CSI, a right-to-left override and a NUL.
NASTY = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202egnp.exe\x00"
RAW = ("\x1b", "\x9b", "\u202e", "\x00", "\x07")


def _raw(text: str) -> list[str]:
    return [c for c in RAW if c in text]


def _jsonl(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_check_text_output_escapes_ids_and_claims(tmp_path):
    path = _jsonl(tmp_path, [{"id": f"id{NASTY}", "prediction": f"{FAITHFUL} {INVENTED}",
                              "source": EN}])
    result = runner.invoke(app, ["check", str(path), "--no-spacy"])
    assert result.exit_code == 1, result.output
    assert not _raw(result.stdout), _raw(result.stdout)
    assert "id\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202egnp.exe\\x00\tsentence 3" in result.stdout
    # One line per claim: a tab or line break inside a field cannot add a column or a line.
    lines = [line for line in result.stdout.splitlines() if "\t" in line]
    assert lines and all(len(line.split("\t")) == 4 for line in lines)


def test_check_fields_with_tabs_and_newlines_stay_one_line(tmp_path):
    path = _jsonl(tmp_path, [{"id": "a\tb\nc", "prediction": INVENTED, "source": EN}])
    result = runner.invoke(app, ["check", str(path), "--no-spacy"])
    lines = [line for line in result.stdout.splitlines() if line.startswith("a")]
    assert lines and all(line.startswith("a\\tb\\nc\t") for line in lines), result.stdout


def test_check_errors_on_stderr_are_escaped(tmp_path):
    row = {"id": f"dup{NASTY}", "prediction": FAITHFUL, "source": EN}
    result = runner.invoke(app, ["check", str(_jsonl(tmp_path, [row, row])), "--no-spacy"])
    assert result.exit_code == 2
    assert "duplicate id" in result.stderr
    assert not _raw(result.stderr), _raw(result.stderr)
    assert "\\u202e" in result.stderr


def test_check_json_output_is_the_same_data_without_raw_controls(tmp_path):
    path = _jsonl(tmp_path, [{"id": f"id{NASTY}", "prediction": INVENTED, "source": EN}])
    result = runner.invoke(app, ["check", str(path), "--no-spacy", "--format", "json"])
    assert not _raw(result.stdout), _raw(result.stdout)
    assert list(json.loads(result.stdout)) == [f"id{NASTY}"]


def test_markup_like_text_is_shown_as_written_not_as_style(tmp_path):
    from pipeline.cli import terminal

    console = Console(file=io.StringIO(), highlight=False, soft_wrap=True)
    terminal.say("out[/]dir [bold]x", console=console)  # rich would raise on "[/]"
    assert console.file.getvalue() == "out[/]dir [bold]x\n"


def test_nightly_failure_lines_are_escaped():
    console = Console(file=io.StringIO(), highlight=False, soft_wrap=True)
    events = ConsoleEvents(console, progress=False)
    events("source.failed", {"message": f"feed {NASTY}: unreachable"})
    events("article.failed", {"key": f"k{NASTY}", "reason": f"r{NASTY}", "message": "m[/]"})
    text = console.file.getvalue()
    assert not _raw(text), _raw(text)
    assert "\\u202e" in text and "m[/]" in text


def test_json_log_lines_are_the_same_data_without_raw_controls():
    stream = io.StringIO()
    JsonLines(stream)("article.failed", {"key": NASTY})
    assert not _raw(stream.getvalue())
    assert json.loads(stream.getvalue())["key"] == NASTY
