"""`briefing batch INPUT... --out DIR`: brief many articles, record every failure."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.batch.record import closing_line
from pipeline.batch.run import check_output_dir, run_batch
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
from pipeline.cli.terminal import say
from pipeline.core.errors import ArticleError, ConfigError
from pipeline.ingest.readers import read_inputs

PROGRESS_EVERY_S = 10.0


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
    engine_name: Annotated[
        Literal["local", "ray"], typer.Option(
            "--engine", help="local: this process; ray: a Ray cluster (pip install 'briefing\\[ray]').")
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option(
            "--ray-address", show_default=False, metavar="<address>",
            help="With --engine ray: 'auto' or HOST:PORT of a cluster to join (its token from "
            "RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH or ~/.ray/auth_token); default: start a "
            "local Ray.")
    ] = None,
    output_format: Annotated[
        Literal["json", "parquet"], typer.Option(
            "--format", help="parquet: also write briefings.parquet/ (with --engine ray).")
    ] = "json",
) -> None:
    """Brief every article into DIR: <id>.json each, errors.jsonl, digest.md, run.json.

    Exit codes:
    0 every article was briefed.
    1 some articles failed (each one in errors.jsonl; the others are briefed).
    2 usage, configuration, input or model-availability errors; nothing was briefed.
    4 unexpected error (a bug or a broken environment); finished briefings are kept.
    130 interrupted; finished briefings are kept.
    """
    app_config = resolve_config(config, translator, summarizer, set_)
    if engine_name == "ray" or output_format == "parquet":
        if engine_name != "ray":
            raise ConfigError("the Parquet output is written by the Ray engine (--engine ray)")
        if ray_address:
            app_config.ray.address = ray_address
        _run_on_ray(inputs, out, app_config, overwrite=overwrite,
                    write_parquet=output_format == "parquet")
        return
    items = list(read_inputs(inputs, max_bytes=app_config.ingest.max_article_bytes))
    check_output_dir(out, overwrite=overwrite)  # exit 2 before the models are loaded
    engine = BriefingEngine(app_config, window=window)
    if stderr_is_terminal():
        with Progress(TextColumn("[bold]briefing"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[working]}"), TimeElapsedColumn(),
                      console=stderr, transient=True) as progress:
            task = progress.add_task("batch", total=len(items), working="")

            def started(count: int) -> None:
                done = int(progress.tasks[0].completed)
                progress.update(task, working=f"({count - done} in progress)")

            result = run_batch(_counting(items, started), out, app_config, engine=engine,
                               overwrite=overwrite, on_result=lambda _: progress.advance(task))
    else:
        log_progress = _ProgressLines(len(items))
        say(f"briefing {len(items)} item(s) into {out}")
        result = run_batch(items, out, app_config, engine=engine, overwrite=overwrite,
                           on_result=log_progress)
    say(closing_line(result))
    raise typer.Exit(result.exit_code)


def _counting(items: Iterable, started) -> Iterator:
    """Pass items through, reporting how many the engine has taken up so far."""
    for count, item in enumerate(items, start=1):
        started(count)
        yield item


class _ProgressLines:
    """Progress for logs (no terminal): a line every ``PROGRESS_EVERY_S`` seconds and at the end."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0
        self.failed = 0
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, outcome) -> None:
        self.done += 1
        self.failed += isinstance(outcome, ArticleError)
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S or self.done == self.total:
            self.last = now
            say(f"progress: {self.done} of {self.total} article(s) done "
                f"({self.failed} failed) after {now - self.started:.0f}s")


def _run_on_ray(inputs: list[str], out: Path, app_config, *, overwrite: bool,
                write_parquet: bool) -> None:
    from pipeline.batch.ray_engine import run_batch_ray

    try:
        result = run_batch_ray(inputs, out, app_config, overwrite=overwrite,
                               write_parquet=write_parquet)
    except SystemExit as exc:
        # ray.init makes SIGTERM (a service manager, Kubernetes) sys.exit(15); the run has
        # stopped its Ray on the way out. Say so as for Ctrl-C, with the same exit code.
        if exc.code == signal.SIGTERM:
            raise KeyboardInterrupt from None
        raise
    say(closing_line(result))
    raise typer.Exit(int(result.exit_code))
