"""`briefing summarize PATH|-`: brief one article and print it."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

import typer

from pipeline.briefing.engine import BriefingEngine
from pipeline.cli import terminal
from pipeline.cli.common import (
    ConfigOption,
    SetOption,
    SummarizerOption,
    TranslatorOption,
    handle_errors,
    resolve_config,
)
from pipeline.core.errors import ArticleError
from pipeline.core.exit_codes import ExitCode
from pipeline.ingest.readers import read_inputs

log = logging.getLogger(__name__)


@handle_errors
def summarize_command(
    path: Annotated[str, typer.Argument(
        help="An article (.txt, .jsonl or .parquet; or a folder of them), or - for stdin.")],
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    output_format: Annotated[
        Literal["text", "json"], typer.Option("--format", help="Output format.")
    ] = "text",
    set_: SetOption = None,
) -> None:
    """Translate and summarize one article; print the English briefing."""
    app_config = resolve_config(config, translator, summarizer, set_)
    engine = BriefingEngine(app_config, window=1)
    items = list(read_inputs([path], max_bytes=app_config.ingest.max_article_bytes))
    log.info("read %d item(s) from %s; loading the models", len(items), path)
    engine.load_models()
    failed = 0
    outputs: list[dict] = []
    for outcome in engine.run(items):
        if isinstance(outcome, ArticleError):
            failed += 1
            terminal.say(outcome, style="bold red", label="error:")
        elif output_format == "json":
            outputs.append(outcome.to_dict())
        else:
            terminal.echo(outcome.to_text())
    if output_format == "json" and outputs:
        payload = outputs[0] if len(outputs) == 1 else outputs
        terminal.echo(terminal.json_text(payload, indent=2))
    if failed:
        raise typer.Exit(int(ExitCode.PARTIAL))

