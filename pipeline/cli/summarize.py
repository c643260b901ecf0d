"""`briefing summarize PATH|-`: brief one article and print it."""

from __future__ import annotations

import json
import logging
import re
from typing import Annotated, Literal

import typer
from rich.markup import escape

from pipeline.briefing.engine import BriefingEngine
from pipeline.briefing.schema import Briefing
from pipeline.cli.common import (
    ConfigOption,
    SetOption,
    SummarizerOption,
    TranslatorOption,
    handle_errors,
    resolve_config,
    stderr,
)
from pipeline.core.errors import ArticleError
from pipeline.core.exit_codes import ExitCode
from pipeline.ingest.readers import read_inputs

log = logging.getLogger(__name__)
# C0 and C1 control characters (ESC starts terminal escape sequences) except tab and newline:
# an article must not be able to drive the reader's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
            stderr.print(f"[bold red]error:[/] {escape(printable(str(outcome)))}", markup=True)
        elif output_format == "json":
            outputs.append(outcome.to_dict())
        else:
            typer.echo(_text(outcome))
    if output_format == "json" and outputs:
        payload = outputs[0] if len(outputs) == 1 else outputs
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    if failed:
        raise typer.Exit(int(ExitCode.PARTIAL))


def _text(briefing: Briefing) -> str:
    return printable(briefing.to_text())


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` instead of reaching the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
