"""`briefing config show`: print the resolved configuration."""

from __future__ import annotations

import typer

from pipeline.cli.common import (
    ConfigOption,
    SetOption,
    SummarizerOption,
    TranslatorOption,
    handle_errors,
    resolve_config,
)
from pipeline.core.config import config_to_yaml

config_app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)


@config_app.command("show")
@handle_errors
def show_command(
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
) -> None:
    """Print the configuration after defaults, the YAML file and overrides are merged."""
    typer.echo(config_to_yaml(resolve_config(config, translator, summarizer, set_)), nl=False)
