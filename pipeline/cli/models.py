"""`briefing models list|pull|convert`: what is configured, what is available offline, fetch
it, convert it for the ctranslate2 backend."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from pipeline.cli.common import (
    ConfigOption,
    SetOption,
    SummarizerOption,
    TranslatorOption,
    fail,
    handle_errors,
    resolve_config,
    stderr,
)
from pipeline.core.errors import ModelUnavailableError
from pipeline.hub.registry import (
    find_cached,
    hub_cache_dir,
    is_local,
    is_pinned,
    pull_model,
    resolve_model,
)

models_app = typer.Typer(help="List, download and convert the configured models.",
                         no_args_is_help=True)

ROLES = (("translator", "translation"), ("summarizer", "summarization"))


@models_app.command("list")
@handle_errors
def list_command(
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
) -> None:
    """Show the configured models and whether each is available offline."""
    app_config = resolve_config(config, translator, summarizer, set_)
    table = Table(title=f"models (cache: {hub_cache_dir(app_config.runtime.model_cache)})")
    for column in ("role", "model", "revision", "backend", "offline", "where"):
        table.add_column(column)
    for role, section in ROLES:
        spec = getattr(app_config, section).model
        if is_local(spec):
            from pathlib import Path

            ok = (Path(spec.id) / "config.json").is_file()
            where = spec.id
        else:
            cached = find_cached(spec, app_config.runtime.model_cache)
            ok, where = cached is not None, str(cached or "not downloaded")
        revision = spec.revision or "-"
        if not is_pinned(spec):
            revision += " (not a commit: unpinned)"
        table.add_row(role, spec.id, revision, spec.backend, "yes" if ok else "no", where)
    from rich.console import Console

    Console().print(table)


@models_app.command("pull")
@handle_errors
def pull_command(
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
) -> None:
    """Download the configured models (at their pinned revisions) into the model cache."""
    app_config = resolve_config(config, translator, summarizer, set_)
    if app_config.offline:
        fail("offline mode is on (runtime.offline or HF_HUB_OFFLINE=1); nothing can be pulled")
    failures = 0
    for role, section in ROLES:
        spec = getattr(app_config, section).model
        try:
            resolved = pull_model(role, spec, model_cache=app_config.runtime.model_cache)
        except ModelUnavailableError as exc:
            failures += 1
            stderr.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
            continue
        stderr.print(f"{role}: {spec.display} -> {resolved.path}")
    if failures:
        raise typer.Exit(2)


QuantizationOption = Annotated[
    str | None,
    typer.Option("--quantization", "-q", help="none | int8 (default: each model's configured "
                 "quantization).", show_default=False),
]


@models_app.command("convert")
@handle_errors
def convert_command(
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
    quantization: QuantizationOption = None,
) -> None:
    """Convert the configured models to CTranslate2 (into <model_cache>/ct2) for the
    ctranslate2 backend; an existing conversion is reused."""
    from pipeline.backends.ct2 import QUANTIZATIONS, convert_model

    if quantization is not None and quantization not in QUANTIZATIONS:
        fail(f"unknown quantization '{quantization}'",
             hint=f"use one of: {', '.join(sorted(QUANTIZATIONS))}")
    app_config = resolve_config(config, translator, summarizer, set_)
    failures = 0
    for role, section in ROLES:
        spec = getattr(app_config, section).model
        try:
            resolved = resolve_model(role, spec, model_cache=app_config.runtime.model_cache,
                                     offline=app_config.offline)
            path = convert_model(resolved, app_config.runtime.model_cache,
                                 quantization or spec.quantization)
        except ModelUnavailableError as exc:
            failures += 1
            stderr.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
            continue
        stderr.print(f"{role}: {spec.display} ({quantization or spec.quantization}) -> {path}")
    if failures:
        raise typer.Exit(2)
