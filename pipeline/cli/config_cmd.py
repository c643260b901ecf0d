"""`briefing config show`: print the resolved configuration."""

from __future__ import annotations

import os

import typer

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
from pipeline.core.config import AppConfig, config_to_yaml
from pipeline.core.errors import ConfigError
from pipeline.hub.cache import cache_source, conversions_dir, hub_cache_dir

config_app = typer.Typer(cls=Group, help="Inspect the configuration.", no_args_is_help=True)


def resolved_notes(config: AppConfig) -> str:
    """Where models are read and written, as absolute paths, and why offline is on (YAML
    comments, so the output still loads as a config file)."""
    cache = config.runtime.model_cache
    env = [name for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE") if os.getenv(name)]
    offline = "on" if config.offline else "off"
    if config.offline and not config.runtime.offline:
        offline += f" ({', '.join(f'{n}={os.environ[n]}' for n in env)})"
    lines = [
        "resolved:",
        f"  hub cache: {hub_cache_dir(cache)}  (from {cache_source(cache)})",
        f"  ctranslate2 conversions: {conversions_dir(cache)}",
        f"  offline: {offline}",
    ]
    return "".join(f"# {line}\n" for line in lines)


@config_app.command("show", cls=Command)
@handle_errors
def show_command(
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
) -> None:
    """Print the configuration after defaults, the YAML file and overrides are merged, with
    the effective offline mode (HF_HUB_OFFLINE included) and the absolute model paths."""
    try:
        app_config = resolve_config(config, translator, summarizer, set_)
    except ConfigError as exc:
        fail(str(exc))  # without the usual hint, which names this very command
    shown = app_config.model_copy(deep=True)
    shown.runtime.offline = app_config.offline
    typer.echo(config_to_yaml(shown) + resolved_notes(app_config), nl=False)
