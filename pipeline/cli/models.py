"""`briefing models list|pull|verify|convert`: what is configured, what is available
offline, fetch it, check its weights, convert it for the ctranslate2 backend."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline.cli import terminal
from pipeline.cli.common import (
    Command,
    ConfigOption,
    Group,
    SetOption,
    SummarizerOption,
    TranslatorOption,
    fail,
    handle_errors,
    resolve_config,
)
from pipeline.core.config import AppConfig, ModelSpec
from pipeline.core.errors import ModelUnavailableError
from pipeline.core.exit_codes import ExitCode
from pipeline.hub.pins import verify_snapshot
from pipeline.hub.registry import (
    find_cached,
    hub_cache_dir,
    is_local,
    is_pinned,
    pin_advice,
    pull_model,
    resolve_model,
)

models_app = typer.Typer(cls=Group, help="List, download, verify and convert the configured models.",
                         no_args_is_help=True)

ROLES = (("translator", "translation"), ("summarizer", "summarization"))


def _configured(app_config: AppConfig) -> list[tuple[str, ModelSpec]]:
    """The models a run loads: both generation models, and the consistency checker when
    ``support.consistency.enabled`` (it is optional, and ~3 GB)."""
    models = [(role, getattr(app_config, section).model) for role, section in ROLES]
    if app_config.support.consistency.enabled:
        models.append(("consistency", app_config.support.consistency.model))
    return models


def _check(role: str, spec: ModelSpec, app_config: AppConfig) -> tuple[str, str, str | None]:
    """(availability, where, problem) of one configured model; hashes known weight files."""
    if is_local(spec):
        ok = (Path(spec.id).expanduser() / "config.json").is_file()
        return ("local" if ok else "missing", spec.id,
                None if ok else f"The {role} model directory {spec.id} holds no saved model.")
    cached = find_cached(spec, app_config.runtime.model_cache)
    if cached is None:
        return ("missing", "not downloaded",
                f"The {role} model '{spec.display}' is not in the cache.")
    result = verify_snapshot(role, spec.id, cached)
    return result.status, str(cached), result.message


@models_app.command("list", cls=Command)
@handle_errors
def list_command(
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
) -> None:
    """Show the configured models, whether each is in the cache and whether its weights match
    their pin. Exits 2 when a model is missing or fails verification (a deploy gate); a model
    without a recorded hash is listed as unverified, which is not an error; the optional
    consistency model is listed as off unless support.consistency.enabled. Not on a terminal,
    prints tab-separated lines (a header, then one model a line)."""
    app_config = resolve_config(config, translator, summarizer, set_)
    cache = hub_cache_dir(app_config.runtime.model_cache)
    columns = ("role", "model", "revision", "backend", "status", "where")
    rows = []
    problems = []
    for role, spec in _configured(app_config):
        status, where, problem = _check(role, spec, app_config)
        if problem and status != "unverified":
            problems.append(problem)
        revision = spec.revision or "-"
        if not is_pinned(spec):
            advice = pin_advice(spec, cache)
            revision += f" (not a full commit; pin {advice})" if advice else " (not a full commit)"
        backend = spec.backend + (f" {spec.quantization}" if spec.backend == "ctranslate2" else "")
        rows.append((role, spec.id, revision, backend, status, where))
    if not app_config.support.consistency.enabled:
        spec = app_config.support.consistency.model
        rows.append(("consistency", spec.id, spec.revision or "-", spec.backend, "off",
                     "support.consistency.enabled: false"))
    if sys.stdout.isatty():
        table = Table(title=f"models (cache: {cache})")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(terminal.markup(value) for value in row))
        Console(soft_wrap=True).print(table)  # cells: terminal.markup
    else:
        # For scripts and deploy gates: one line per model, ids and hashes unbroken.
        for row in (columns, *rows):
            terminal.echo("\t".join(terminal.field(" ".join(str(value).split()))
                                     for value in row))
    for problem in problems:
        terminal.say(problem, style="bold red", label="error:")
    if problems:
        raise typer.Exit(int(ExitCode.USAGE))


@models_app.command("verify", cls=Command)
@handle_errors
def verify_command(
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
) -> None:
    """Re-hash the cached weight files of the configured models against their recorded
    sha256. Exits 2 on a missing model or a mismatch; unverified models are reported."""
    app_config = resolve_config(config, translator, summarizer, set_)
    failures = 0
    for role, spec in _configured(app_config):
        status, where, problem = _check(role, spec, app_config)
        if status in ("verified", "unverified", "local"):
            note = {"verified": "sha256 matches the pin",
                    "unverified": "no recorded hash for this model and commit: unverified",
                    "local": "a local directory: unverified"}[status]
            terminal.say(f"{role}: {spec.display} {note} ({where})")
        else:
            failures += 1
            terminal.say(problem or status, style="bold red", label="error:")
    if failures:
        raise typer.Exit(int(ExitCode.USAGE))


@models_app.command("pull", cls=Command)
@handle_errors
def pull_command(
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
) -> None:
    """Download the configured models (at their revisions, only the files loading needs)
    into the model cache and verify their weights."""
    app_config = resolve_config(config, translator, summarizer, set_)
    cache = hub_cache_dir(app_config.runtime.model_cache)
    if app_config.offline:
        fail("offline mode is on (runtime.offline or HF_HUB_OFFLINE=1), so the Hugging Face "
             "hub is not contacted and nothing can be pulled",
             hint=f"on an offline machine, copy a Hugging Face cache holding the models into "
                  f"{cache} (or point runtime.model_cache / HF_HUB_CACHE at one)")
    failures = 0
    for role, spec in _configured(app_config):
        try:
            resolved = pull_model(role, spec, model_cache=app_config.runtime.model_cache)
        except ModelUnavailableError as exc:
            failures += 1
            terminal.say(exc, style="bold red", label="error:")
            continue
        check = verify_snapshot(role, spec.id, resolved.path) if not is_local(spec) else None
        note = "" if check is None else (
            " (sha256 verified)" if check.status == "verified" else " (unverified: no recorded hash)")
        terminal.say(f"{role}: {spec.display} -> {resolved.path}{note}")
    if failures:
        raise typer.Exit(int(ExitCode.USAGE))


QuantizationOption = Annotated[
    str | None,
    typer.Option("--quantization", "-q", help="Weights of the conversion (default: each model's "
                 "configured quantization).", show_default=False, metavar="<none|int8>"),
]


@models_app.command("convert", cls=Command)
@handle_errors
def convert_command(
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
    quantization: QuantizationOption = None,
) -> None:
    """Convert the configured models to CTranslate2 for the ctranslate2 backend (first use
    does this too); an existing conversion is reused."""
    from pipeline.backends.ct2 import QUANTIZATIONS, convert_model

    if quantization is not None and quantization not in QUANTIZATIONS:
        fail(f"unknown quantization '{quantization}'",
             hint=f"use one of: {', '.join(sorted(QUANTIZATIONS))}")
    app_config = resolve_config(config, translator, summarizer, set_)
    failures = 0
    for role, spec in _configured(app_config):
        try:
            resolved = resolve_model(role, spec, model_cache=app_config.runtime.model_cache,
                                     offline=app_config.offline)
            path = convert_model(resolved, app_config.runtime.model_cache,
                                 quantization or spec.quantization)
        except ModelUnavailableError as exc:
            failures += 1
            terminal.say(exc, style="bold red", label="error:")
            continue
        terminal.say(f"{role}: {spec.display} ({quantization or spec.quantization}) -> {path}")
    if failures:
        raise typer.Exit(int(ExitCode.USAGE))
