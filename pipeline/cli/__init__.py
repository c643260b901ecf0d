"""The `briefing` command line: one Typer app, one module per command (as spaCy does).

Commands are thin: they parse flags, call a library function that knows nothing about
flags, print the outcome and exit with a code from :class:`pipeline.core.exit_codes.ExitCode`.
Every command is wrapped in :func:`pipeline.cli.common.handle_errors`, the one place where
an exception becomes a sentence, a hint and an exit code.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline import __version__
from pipeline.cli.batch import batch_command
from pipeline.cli.check import check_command
from pipeline.cli.common import Command, Group, configure_logging, flag
from pipeline.cli.config_cmd import config_app
from pipeline.cli.eval import eval_command
from pipeline.cli.models import models_app
from pipeline.cli.nightly import nightly_command
from pipeline.cli.story import story_command
from pipeline.cli.summarize import summarize_command
from pipeline.cli.watch import watch_command
from pipeline.core.exit_codes import help_lines
from pipeline.core.interrupt import stop_on_sigterm

app = typer.Typer(
    name="briefing",
    cls=Group,
    help="Dutch news articles in, English briefings out.",
    epilog="Exit codes (every command):\n\n" + "\n\n".join(help_lines()),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("summarize", cls=Command)(summarize_command)
app.command("batch", cls=Command)(batch_command)
app.command("nightly", cls=Command)(nightly_command)
app.command("eval", cls=Command)(eval_command)
app.command("check", cls=Command)(check_command)
app.command("story", cls=Command)(story_command)
app.command("watch", cls=Command)(watch_command)
app.add_typer(models_app, name="models")
app.add_typer(config_app, name="config")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"briefing {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    verbose: Annotated[bool, flag("--verbose", "-v",
                                  help="Show what the run is doing (debug logging).")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", metavar="",
                                          callback=_print_version, is_eager=True)] = False,
) -> None:
    configure_logging(verbose)


def main() -> None:
    """Console-script entry point. SIGTERM (a service manager stopping the command) ends it
    as Ctrl-C does: "interrupted", exit 130, finished work kept."""
    stop_on_sigterm()
    app()
