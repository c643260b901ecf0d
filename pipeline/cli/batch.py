"""`briefing batch INPUT... --out DIR`: brief many articles, record every failure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.batch.run import ERRORS_FILE, run_batch
from pipeline.briefing.engine import BriefingEngine
from pipeline.cli.common import (
    ConfigOption,
    SetOption,
    SummarizerOption,
    TranslatorOption,
    flag,
    handle_errors,
    resolve_config,
    stderr,
    stderr_is_terminal,
)
from pipeline.ingest.readers import read_inputs


@handle_errors
def batch_command(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories, or - for stdin.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.", file_okay=False)],
    config: ConfigOption = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
    overwrite: Annotated[
        bool, flag("--overwrite", help="Replace outputs of an earlier run in --out.")
    ] = False,
    window: Annotated[
        int, typer.Option("--window", min=1, help="Articles translated and summarized together.")
    ] = 8,
) -> None:
    """Brief every article into DIR: <id>.json each, errors.jsonl, digest.md, run.json.

    Exit 0 when every article was briefed, 1 when some failed, 2 for usage, configuration
    or model-availability errors.
    """
    app_config = resolve_config(config, translator, summarizer, set_)
    items = list(read_inputs(inputs, max_bytes=app_config.ingest.max_article_bytes))
    engine = BriefingEngine(app_config, window=window)
    if stderr_is_terminal():
        with Progress(TextColumn("[bold]briefing"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=stderr, transient=True) as progress:
            task = progress.add_task("batch", total=len(items))
            result = run_batch(items, out, app_config, engine=engine, overwrite=overwrite,
                               on_result=lambda _: progress.advance(task))
    else:
        result = run_batch(items, out, app_config, engine=engine, overwrite=overwrite)
    total = len(result.briefed) + len(result.failed)
    message = f"Briefed {len(result.briefed)} of {total} article(s) into {out} in {result.seconds:.1f}s"
    if result.failed:
        message += f"; {len(result.failed)} failed (see {out / ERRORS_FILE})"
    stderr.print(message)
    raise typer.Exit(result.exit_code)
