"""The `briefing` command line. Each command lives in its own module; this one mounts them."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from pipeline import __version__
from pipeline.cli.batch import batch_command
from pipeline.cli.common import configure_logging
from pipeline.cli.config_cmd import config_app
from pipeline.cli.models import models_app
from pipeline.cli.summarize import summarize_command

app = typer.Typer(
    name="briefing",
    help="Dutch news articles in, English briefings out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("summarize")(summarize_command)
app.command("batch")(batch_command)
app.add_typer(models_app, name="models")
app.add_typer(config_app, name="config")

# Stages that live in their own packages mount themselves here when present.
for module_name, attribute, command_name in (
    ("pipeline.evaluation.cli", "eval_command", "eval"),
    ("pipeline.nightly.cli", "nightly_command", "nightly"),
):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name and not module_name.startswith(str(exc.name)):
            raise
        continue
    app.command(command_name)(getattr(module, attribute))


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    configure_logging(verbose)
    if version:
        typer.echo(f"briefing {__version__}")
        raise typer.Exit(0)


def main() -> None:
    """Console-script entry point."""
    app()
