"""How a run's events reach a person or a log collector.

- :class:`JsonLines`: ``--log-json``; one JSON object per event (and per warning logged by the
  libraries) on stderr.
- :class:`ConsoleEvents`: a progress bar when stderr is a terminal; otherwise only failures,
  one line each (cron mails stderr).
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.cli.terminal import json_text, say


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class JsonLines:
    """Writes ``{"ts", "event", ...fields}`` lines to a stream (stderr by default)."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.handler: logging.Handler | None = None  # set by install_json_logging
        self.replaced: list[logging.Handler] = []  # the text handlers it took off

    def __call__(self, event: str, fields: dict) -> None:
        record = {"ts": _now(), "event": event, **fields}
        self.stream.write(json_text(record, default=str) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Take the log handler :func:`install_json_logging` added off the root logger and
        put back the text handlers it replaced, so nothing logs into this sink (or its
        stream) once the command is over, and nothing logged later is lost."""
        if self.handler is not None:
            root = logging.getLogger()
            root.removeHandler(self.handler)
            for handler in self.replaced:
                root.addHandler(handler)
            self.replaced = []
            logging.captureWarnings(False)
            self.handler = None


class JsonLogHandler(logging.Handler):
    """Routes library log records into the same JSON lines (event ``log``)."""

    def __init__(self, sink: JsonLines):
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.sink("log", {"level": record.levelname.lower(), "logger": record.name,
                              "message": record.getMessage()})
        except Exception:  # a log line must never break the run
            self.handleError(record)


def install_json_logging(sink: JsonLines) -> None:
    """Send log records and Python warnings to ``sink`` instead of text lines on the console."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if (isinstance(handler, logging.StreamHandler)
                and getattr(handler, "stream", None) in (sys.stderr, sys.stdout, sys.__stderr__)):
            root.removeHandler(handler)
            sink.replaced.append(handler)
    sink.handler = JsonLogHandler(sink)
    root.addHandler(sink.handler)
    logging.captureWarnings(True)  # e.g. a library's UserWarning becomes a "log" event


class ConsoleEvents:
    """Progress on a terminal, one line per failure everywhere.

    Args:
        console: where to write (stderr).
        progress: show a progress bar (only when a person is watching).
    """

    def __init__(self, console: Console, *, progress: bool):
        self.console = console
        self.progress: Progress | None = None
        self.task = None
        if progress:
            self.progress = Progress(TextColumn("[bold]nightly"), BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn(),
                                     TextColumn("{task.description}"), console=console,
                                     transient=True)

    def __call__(self, event: str, fields: dict) -> None:
        if event == "source.failed":
            say(fields["message"], style="yellow", label="source not read:", console=self.console)
        elif event == "clock.behind":
            say(fields["message"], style="yellow", label="warning:", console=self.console)
        elif event == "article.failed":
            say(f"{fields['key']} ({fields['reason']}): {fields['message']}", style="red",
                label="failed:", console=self.console)
        if self.progress is None:
            return
        if event == "plan" and fields["work"]:
            self.progress.start()
            self.task = self.progress.add_task("loading models", total=fields["work"])
        elif event == "models.loaded" and self.task is not None:
            self.progress.update(self.task, description="")
        elif event in ("article.done", "article.failed") and self.task is not None:
            self.progress.advance(self.task)

    def close(self) -> None:
        """Stop the progress bar."""
        if self.progress is not None:
            self.progress.stop()
