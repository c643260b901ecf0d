"""The one table of exit codes every ``briefing`` command uses, and which error leads to which.

The library records them (the nightly run summary keeps the code a run ended with); only
the CLI exits with them. :data:`ERROR_EXITS` maps every error class of
:mod:`pipeline.core.errors` to its code and, where the user needs one, a hint; the exit-code
list of ``briefing --help`` and of the reference (``docs/cli.md``) is generated from it
(``python -m pipeline.core.exit_codes`` prints the Markdown table).
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import NamedTuple

from pipeline.core import errors as e


class ExitCode(IntEnum):
    """What a ``briefing`` process's exit status means (:data:`MEANINGS` says it in words)."""

    OK = 0
    PARTIAL = 1
    USAGE = 2
    RUN_ACTIVE = 3
    INTERNAL = 4
    INTERRUPTED = 130


# What each code means: the text of `briefing --help` and of docs/cli.md.
MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "Everything asked for was done.",
    ExitCode.PARTIAL: (
        "Done, but not all good: some articles failed (each one recorded: `errors.jsonl` for "
        "batch, stderr for summarize, the digest for the nightly), an evaluation gate was "
        "missed, a checked briefing has unsupported claims, or a story's outlets disagree."),
    ExitCode.USAGE: (
        "Usage, configuration, input or model-availability error, closed stdin, or an output "
        "that cannot be written (checked before the models load); nothing was processed."),
    ExitCode.RUN_ACTIVE: (
        "`nightly` only: another run holds the lock (this one did nothing), or another process "
        "kept the state database locked past its busy timeout (work finished before is kept)."),
    ExitCode.INTERNAL: (
        "The environment failed while writing (disk full, read-only file system): reported "
        "once, the outputs written so far are kept; or an unexpected error (a bug): one "
        "sentence naming the file that holds the traceback, nothing given up."),
    ExitCode.INTERRUPTED: "Interrupted (Ctrl-C or SIGTERM); finished work is kept.",
}


class ErrorExit(NamedTuple):
    """How an error reaches the user: the exit code, and a hint (which may name a flag)."""

    code: ExitCode
    hint: str | None = None


CONFIG_HINT = "`briefing config show` prints the resolved configuration"

# Every error class of pipeline.core.errors, with its exit code and hint. An error is looked
# up by its class, then by its base classes in method-resolution order (StateBusyError is a
# RunActiveError: exit 3). tests/test_exit_codes.py keeps this table complete.
ERROR_EXITS: dict[type[BaseException], ErrorExit] = {
    e.BriefingError: ErrorExit(ExitCode.USAGE),
    e.ConfigError: ErrorExit(ExitCode.USAGE, CONFIG_HINT),
    e.InvalidArgumentError: ErrorExit(ExitCode.USAGE),
    e.ModelUnavailableError: ErrorExit(ExitCode.USAGE),
    e.ModelVerificationError: ErrorExit(ExitCode.USAGE),
    e.RunActiveError: ErrorExit(ExitCode.RUN_ACTIVE),
    e.EnvironmentFailure: ErrorExit(ExitCode.INTERNAL),
    # per-article errors: a run records them and goes on; alone (summarize) they exit 1
    e.ArticleError: ErrorExit(ExitCode.PARTIAL),
    e.GenerationError: ErrorExit(ExitCode.PARTIAL),
    e.SummaryTooLongError: ErrorExit(ExitCode.PARTIAL),
    e.InputUnavailableError: ErrorExit(ExitCode.USAGE),
    e.JsonInputError: ErrorExit(ExitCode.USAGE),
    e.CheckInputError: ErrorExit(ExitCode.USAGE),
    e.BriefingFormatError: ErrorExit(ExitCode.USAGE),
    e.StoryFormatError: ErrorExit(ExitCode.USAGE),
    e.OutputExistsError: ErrorExit(
        ExitCode.USAGE, "pass --overwrite to replace them, or choose another --out"),
    e.OutputNotWritableError: ErrorExit(ExitCode.USAGE),
    e.RayUnavailableError: ErrorExit(ExitCode.USAGE),
    e.RayAuthenticationError: ErrorExit(ExitCode.USAGE),
    e.RefusedAddressError: ErrorExit(ExitCode.USAGE),
    e.FetchError: ErrorExit(ExitCode.USAGE),
    e.FetchRefusedError: ErrorExit(ExitCode.USAGE),
    e.StateError: ErrorExit(ExitCode.USAGE),
    e.StateBusyError: ErrorExit(ExitCode.RUN_ACTIVE),
    e.StateEnvironmentError: ErrorExit(ExitCode.INTERNAL),
    e.DeliveryError: ErrorExit(ExitCode.USAGE),
    e.DeliveryConfigError: ErrorExit(ExitCode.USAGE),
    e.UnsafePathError: ErrorExit(ExitCode.USAGE),
    e.StoryError: ErrorExit(ExitCode.USAGE),
    e.EvalError: ErrorExit(ExitCode.USAGE),
    e.EvalInputError: ErrorExit(ExitCode.USAGE),
    e.DuplicateIdError: ErrorExit(ExitCode.USAGE),
    e.UnknownMetricError: ErrorExit(ExitCode.USAGE),
    e.GateConfigError: ErrorExit(ExitCode.USAGE),
    e.NerModelError: ErrorExit(ExitCode.USAGE, "pass --no-spacy to score without spaCy"),
}


def error_exit(exc: BaseException) -> ErrorExit | None:
    """The table's row for ``exc`` (by its class, then its bases), or None when it is not an
    error of this package."""
    for cls in type(exc).__mro__:
        row = ERROR_EXITS.get(cls)
        if row is not None:
            return row
    return None


def errors_for(code: ExitCode) -> list[str]:
    """The names of the error classes that end a command with ``code``."""
    return sorted(cls.__name__ for cls, row in ERROR_EXITS.items() if row.code == code)


def help_lines() -> list[str]:
    """The exit-code list of ``briefing --help``, one line per code."""
    return [f"{int(code):>3}  {MEANINGS[code]}" for code in ExitCode]


def markdown_table() -> str:
    """The exit-code table of ``docs/cli.md``."""
    rows = ["| code | meaning | errors |", "|---|---|---|"]
    for code in ExitCode:
        names = ", ".join(f"`{name}`" for name in errors_for(code)) or "–"
        rows.append(f"| {int(code)} | {MEANINGS[code]} | {names} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
