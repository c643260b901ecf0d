"""Options and error handling shared by every command."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.config import AppConfig, load_config, parse_model_option
from pipeline.errors import BriefingError, ConfigError, ModelUnavailableError

EXIT_OK = 0
EXIT_ARTICLES_FAILED = 1
EXIT_USAGE = 2

stderr = Console(stderr=True, highlight=False, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="YAML config (see configs/default.yaml).",
                 dir_okay=False, show_default=False),
]
TranslatorOption = Annotated[
    str | None,
    typer.Option("--translator", help="Translation model: hub id[@revision] or a local directory.",
                 show_default=False),
]
SummarizerOption = Annotated[
    str | None,
    typer.Option("--summarizer", help="Summarization model: hub id[@revision] or a local directory.",
                 show_default=False),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override one config key, e.g. --set translation.batch_tokens=2000.",
                 show_default=False),
]


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


def configure_logging(verbose: bool = False) -> None:
    """Quiet third-party progress bars and warnings unless asked for."""
    level = logging.DEBUG if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def fail(message: str, code: int = EXIT_USAGE, hint: str | None = None) -> None:
    """Print one clear error sentence (and an optional hint) and exit."""
    stderr.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    if hint:
        stderr.print(f"[dim]hint:[/] {escape(hint)}", markup=True)
    raise typer.Exit(code)


def handle_errors(func: Callable) -> Callable:
    """Turn library exceptions into one sentence and an exit code; never a stack trace."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ModelUnavailableError as exc:
            fail(str(exc))
        except ConfigError as exc:
            fail(str(exc), hint="`briefing config show` prints the resolved configuration")
        except FileNotFoundError as exc:
            fail(f"no such file or directory: {exc.args[0] if exc.args else exc}")
        except BriefingError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            stderr.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def stderr_is_terminal() -> bool:
    """Whether progress bars make sense (a person is watching)."""
    return sys.stderr.isatty()
