"""The one table of errors and exit codes: complete, used by the CLI, and the source of the
exit-code lists in `briefing --help` and docs/cli.md."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from typer.testing import CliRunner

import pipeline.core.errors as errors
from pipeline.cli import app
from pipeline.cli.common import describe_error
from pipeline.core.exit_codes import ERROR_EXITS, MEANINGS, ExitCode, error_exit, markdown_table

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


def test_every_error_class_lives_in_core_errors_and_has_a_row():
    defined = {obj for _, obj in inspect.getmembers(errors, inspect.isclass)
               if issubclass(obj, errors.BriefingError) and obj.__module__ == errors.__name__}
    assert defined - set(ERROR_EXITS) == set()
    # and no error class of the package is defined anywhere else
    stray = []
    for path in (REPO / "pipeline").rglob("*.py"):
        for match in re.finditer(r"^class (\w+)\((?:[\w.]*Error|[\w.]*Failure)\b",
                                 path.read_text(encoding="utf-8"), re.M):
            if path.name != "errors.py":
                stray.append(f"{path.relative_to(REPO)}: {match.group(1)}")
    assert stray == []


def test_an_error_takes_its_row_by_class_then_by_base_class():
    assert error_exit(errors.StateBusyError("busy")).code == ExitCode.RUN_ACTIVE
    assert error_exit(errors.StateEnvironmentError("full")).code == ExitCode.INTERNAL
    assert error_exit(errors.StateError("damaged")).code == ExitCode.USAGE

    class Newer(errors.ConfigError):
        pass

    message, code, hint = describe_error(Newer("bad key"))
    assert (message, code) == ("bad key", ExitCode.USAGE)
    assert hint == ERROR_EXITS[errors.ConfigError].hint and "config show" in hint
    assert describe_error(errors.OutputExistsError("x"))[2].startswith("pass --overwrite")


def test_the_reference_table_is_generated_from_the_one_table():
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    block = text.split("<!-- exit-codes:begin -->\n", 1)[1].split("<!-- exit-codes:end -->", 1)[0]
    assert set(MEANINGS) == set(ExitCode)  # every code says what it means
    assert block == markdown_table(), "regenerate it: python -m pipeline.core.exit_codes"
    assert "`StateBusyError`" in block.split("\n| 3 |", 1)[1].split("\n", 1)[0]


def test_briefing_help_lists_every_exit_code():
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    tail = result.output.split("Exit codes (every command):", 1)[1]
    for code in ExitCode:
        assert re.search(rf"^\s*{int(code)}\s+\S", tail, re.M), code


def test_a_bug_names_the_file_that_holds_its_traceback(tmp_path, monkeypatch):
    import pipeline.cli.config_cmd as config_cmd

    def broken(*args, **kwargs):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setenv("BRIEFING_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(config_cmd, "resolve_config", broken)
    result = runner.invoke(app, ["config", "show"], terminal_width=400)
    assert result.exit_code == ExitCode.INTERNAL, result.output
    assert "Traceback" not in result.output
    logs = list((tmp_path / "logs").glob("crash-*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in " ".join(result.output.split())
    logged = logs[0].read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "TypeError: unsupported" in logged
    assert logs[0].stat().st_mode & 0o077 == 0


def test_a_bug_without_a_writable_log_folder_still_says_how_to_see_it(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BRIEFING_LOG_DIR", str(blocker / "logs"))
    message, code, _ = describe_error(KeyError("summary"))
    assert code == ExitCode.INTERNAL
    assert "could not be written" in message and "-v" in message
