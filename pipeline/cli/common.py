"""Options and the one error handler shared by every command.

Library functions raise typed exceptions (``pipeline.core.errors``) and know nothing about
flags; :func:`handle_errors` is the only place that turns an exception into one sentence,
an optional hint and an exit code from :class:`~pipeline.core.exit_codes.ExitCode`.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from pipeline.cli.terminal import say, stderr
from pipeline.core.config import AppConfig, load_config, parse_model_option
from pipeline.core.errors import BriefingError, ConfigError, is_environment_error
from pipeline.core.exit_codes import ExitCode, error_exit

log = logging.getLogger("pipeline.cli")
# stderr: the one stderr console (pipeline.cli.terminal, which writes what reaches it).

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="YAML config (see configs/default.yaml).",
                 dir_okay=False, show_default=False),
]
TranslatorOption = Annotated[
    str | None,
    typer.Option("--translator", help="Translation model: hub id\\[@revision] or a local directory.",
                 show_default=False, metavar="<model>"),
]
SummarizerOption = Annotated[
    str | None,
    typer.Option("--summarizer", help="Summarization model: hub id\\[@revision] or a local directory.",
                 show_default=False, metavar="<model>"),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override one config key, e.g. --set translation.batch_tokens=2000.",
                 show_default=False, metavar="<key=value>"),
]


class _BareHelp:
    """``--help`` shown as the bare flag it is: typer labels its own help option ``<bool>``."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class Command(_BareHelp, TyperCommand):
    """Every ``briefing`` command (``app.command(..., cls=Command)``)."""


class Group(_BareHelp, TyperGroup):
    """``briefing`` and its command groups (``typer.Typer(cls=Group)``)."""


def flag(*names: str, help: str) -> Any:  # noqa: A002 - typer's own keyword
    """A boolean option shown as a bare flag in ``--help`` (no ``<bool>`` value column)."""
    return typer.Option(*names, help=help, metavar="")


def parse_sets(values: list[str] | None) -> dict[str, Any]:
    """``["a.b=1", ...]`` to ``{"a.b": "1", ...}``.

    Raises:
        ConfigError: an item has no ``=``.
    """
    overrides: dict[str, Any] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects KEY=VALUE, got '{item}'")
        overrides[key.strip()] = value
    return overrides


def resolve_config(config: Path | None, translator: str | None, summarizer: str | None,
                   sets: list[str] | None) -> AppConfig:
    """Defaults < YAML < ``--set`` < ``--translator``/``--summarizer``."""
    overrides = parse_sets(sets)
    for role, value in (("translation", translator), ("summarization", summarizer)):
        if value:
            spec = parse_model_option(value)
            overrides[f"{role}.model.id"] = spec.id
            overrides[f"{role}.model.revision"] = spec.revision
    return load_config(config, overrides)


_verbose = False


def configure_logging(verbose: bool = False) -> None:
    """Quiet third-party progress bars and warnings unless asked for."""
    global _verbose
    _verbose = verbose
    level = logging.DEBUG if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # basicConfig does nothing when logging is already set up: set our own level directly,
    # so -v always shows what the run is doing (INFO lines from batch and the engine).
    logging.getLogger("pipeline").setLevel(logging.DEBUG if verbose else logging.WARNING)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    quiet_transformers()


def quiet_transformers() -> None:
    """transformers' warnings and progress bars off, without importing it (seconds, which
    the CTranslate2 path never needs): set now where it is loaded, else read by it when it
    is (``TRANSFORMERS_VERBOSITY``; its progress bars follow huggingface_hub's switch)."""
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        return
    os.environ["TRANSFORMERS_VERBOSITY"] = "error"
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    else:
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"


def fail(message: str, code: int = ExitCode.USAGE, hint: str | None = None) -> None:
    """Print one clear error sentence (and an optional hint) and exit with ``code``."""
    say(message, style="bold red", label="error:")
    if hint:
        say(hint, style="dim", label="hint:")
    raise typer.Exit(int(code))


def crash_log_dir() -> Path:
    """Where an unexpected error's traceback is written: ``$BRIEFING_LOG_DIR``, else
    ``$XDG_STATE_HOME/briefing`` (``~/.local/state/briefing``)."""
    if os.environ.get("BRIEFING_LOG_DIR"):
        return Path(os.environ["BRIEFING_LOG_DIR"])
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "briefing"


def _write_crash_log(exc: BaseException) -> Path | None:
    """Write ``exc``'s full traceback to a new file readable by this user only; None when
    that is not possible (the sentence then says how to see it)."""
    from datetime import UTC, datetime

    folder = crash_log_dir()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(exc))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"briefing {' '.join(sys.argv[1:])}\n{text}")
    except OSError:
        return None
    return path


def describe_error(exc: BaseException) -> tuple[str, ExitCode, str | None]:
    """The sentence, exit code and hint for an exception that reached the command line.

    The package's own errors go through the one table :data:`ERROR_EXITS`; anything else is
    a bug, whose traceback is written to a crash log that the sentence names.
    """
    row = error_exit(exc) if isinstance(exc, BriefingError) else None
    if row is not None:
        return str(exc), row.code, row.hint
    if isinstance(exc, FileNotFoundError):
        name = exc.filename or (exc.args[0] if exc.args else exc)
        return f"no such file or directory: {name}", ExitCode.USAGE, None
    if isinstance(exc, OSError) and is_environment_error(exc):
        where = f" ({exc.filename})" if exc.filename else ""
        return (f"the environment failed: {exc.strerror or exc}{where}; work finished before "
                "it is kept", ExitCode.INTERNAL, None)
    logged = _write_crash_log(exc)
    where = (f"the full traceback is in {logged}" if logged is not None else
             "the traceback could not be written to a file; run again with -v to see it")
    return (f"unexpected error ({type(exc).__name__}: {exc}); this is a bug, please report it: "
            f"{where}", ExitCode.INTERNAL, None)


def handle_errors(func: Callable) -> Callable:
    """Turn any exception into one sentence, a hint and an exit code; never a stack trace
    (unless ``-v`` asked for one)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            stderr.print("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:
            import click

            if isinstance(exc, click.exceptions.ClickException):
                raise
            message, code, hint = describe_error(exc)
            if _verbose and code == ExitCode.INTERNAL:
                traceback.print_exc()
            fail(message, code=code, hint=hint)

    return wrapper


def stderr_is_terminal() -> bool:
    """Whether progress bars make sense (a person is watching)."""
    return sys.stderr.isatty()
