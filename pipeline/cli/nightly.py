"""`briefing nightly`: a thin wrapper over :func:`pipeline.nightly.runner.run_nightly`."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer

from pipeline.cli import terminal
from pipeline.cli.common import (
    SetOption,
    SummarizerOption,
    TranslatorOption,
    describe_error,
    flag,
    handle_errors,
    resolve_config,
    stderr,
    stderr_is_terminal,
)
from pipeline.cli.events import ConsoleEvents, JsonLines, install_json_logging
from pipeline.core.errors import (
    EnvironmentFailure,
    InvalidArgumentError,
    RunActiveError,
    is_environment_error,
)
from pipeline.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from pipeline.nightly.runner import NightlyResult


@handle_errors
def nightly_command(
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", help="YAML config (see configs/nightly.yaml).", dir_okay=False,
        show_default=False)] = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", show_default=False, metavar="<source>",
                     help="Folder, .jsonl/.txt/.html file, feed file or http(s) URL; repeat "
                     "for several. Replaces nightly.sources."),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option("--state", show_default=False, metavar="<file|url>",
                     help="State database: a SQLite file path or a SQLAlchemy URL."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", file_okay=False, show_default=False,
                     help="Output folder; each night goes to OUT/YYYY-MM-DD/."),
    ] = None,
    night: Annotated[
        str | None,
        typer.Option("--date", metavar="<yyyy-mm-dd>", show_default=False,
                     help="The night to run (default: today, local time; the latest night "
                     "in the state if the clock is behind it). A night older than the latest "
                     "in the state is only rebuilt from the state."),
    ] = None,
    translator: TranslatorOption = None,
    summarizer: SummarizerOption = None,
    dry_run: Annotated[
        bool, flag("--dry-run", help="Read and plan as a run would, show it, change nothing "
                   "(no article page is fetched); exits as the run would (1 source "
                   "unreadable, 2 bad --reprocess key).")
    ] = False,
    log_json: Annotated[
        bool, flag("--log-json", help="One JSON object per event on stderr.")
    ] = False,
    reprocess: Annotated[
        list[str] | None,
        typer.Option("--reprocess", metavar="<key|id|failed|all>", show_default=False,
                     help="Brief these again even if unchanged (resets their attempts); "
                     "repeatable."),
    ] = None,
    deliver_only: Annotated[
        bool, flag("--deliver-only", help="Send the digest of the night given by --date again "
                   "(nightly.deliver); brief nothing.")
    ] = False,
    set_: SetOption = None,
) -> None:
    """Brief what is new or changed in the sources and write the night's digest.

    Exit codes:
    0 all good.
    1 some articles failed or a source could not be read (recorded, in the digest, retried).
    2 usage, configuration, state database or model errors.
    3 another nightly run is active (this one did nothing), or the state database is locked.
    4 unexpected error (a bug or a broken environment); finished work is kept.
    130 interrupted; finished work is kept.
    """
    # --log-json: from here on every line on stderr is one JSON object, errors included
    # (a config that cannot be read as well; `nightly.log_json: true` in the config itself
    # takes effect once the config is read).
    sink = JsonLines() if log_json else None
    events = None
    try:
        # Imported here: the runner pulls the archive and scikit-learn (about a second),
        # which `briefing --help` and the other commands do not need.
        from pipeline.nightly.runner import resolve_night, run_nightly
        from pipeline.nightly.state import normalise_url

        app_config = resolve_config(config, translator, summarizer, set_)
        settings = app_config.nightly
        if settings.log_json and sink is None:
            sink = JsonLines()
        settings.log_json = sink is not None
        if sink is not None:
            install_json_logging(sink)
            events = sink
        else:
            events = ConsoleEvents(stderr, progress=stderr_is_terminal())
        if source:
            settings.sources = list(source)
        if state:
            settings.state_url = normalise_url(state)
        if out is not None:
            settings.out_dir = out
        the_night = resolve_night(night) if night is not None else None  # checked first
        if deliver_only:
            if dry_run or reprocess:
                raise InvalidArgumentError("--deliver-only sends a written night's digest and "
                                           "does nothing else: it takes no --dry-run or "
                                           "--reprocess")
            _deliver_only(app_config, the_night, sink)
        result = run_nightly(app_config, night=the_night, dry_run=dry_run,
                             reprocess=reprocess or (), on_event=events)
        terminal.echo(_report(result))
    except (typer.Exit, typer.Abort, click.exceptions.ClickException):
        raise
    except (Exception, KeyboardInterrupt) as exc:
        if sink is None:
            raise  # handle_errors: one sentence and its exit code
        raise typer.Exit(_report_as_event(sink, exc)) from None
    finally:
        if events is not None:
            events.close()
    raise typer.Exit(int(result.exit_code))


def _report_as_event(sink: JsonLines, exc: BaseException) -> int:
    """``exc`` as the run's last JSON event (``--log-json``) instead of a line of text; the
    exit code it stands for (the same as :func:`handle_errors` gives it)."""
    from pipeline.core.errors import StateBusyError

    if isinstance(exc, KeyboardInterrupt):  # Ctrl-C or SIGTERM: finished work is committed
        code = int(ExitCode.INTERRUPTED)
        sink("run.interrupted", {"message": "interrupted (Ctrl-C or SIGTERM); finished work "
                                 "is kept", "exit_code": code})
        return code
    message, exit_code, hint = describe_error(exc)
    code = int(exit_code)
    if isinstance(exc, RunActiveError):
        reason = "state-locked" if isinstance(exc, StateBusyError) else "run-active"
        sink("run.refused", {"reason": reason, "message": message, "exit_code": code})
    elif isinstance(exc, EnvironmentFailure) or (
            isinstance(exc, OSError) and is_environment_error(exc)):
        sink("run.failed", {"reason": "environment", "message": message, "exit_code": code})
    elif code == ExitCode.INTERNAL:
        # A bug. Everything finished so far is committed; the log collector gets the
        # traceback (the crash log named in the message has it too).
        sink("run.crashed", {"error": f"{type(exc).__name__}: {exc}", "message": message,
                             "traceback": "".join(traceback.format_exception(exc)),
                             "exit_code": code})
    else:  # usage, configuration, state database or model errors
        sink("run.error", {"message": message, "hint": hint, "exit_code": code})
    return code


def _deliver_only(app_config, night: str | None, sink: JsonLines | None) -> None:
    from pipeline.nightly.delivery import deliver_again

    if night is None:
        raise InvalidArgumentError("--deliver-only needs the night to send: --date YYYY-MM-DD")
    records = deliver_again(app_config, night)
    for record in records:
        if sink is not None:
            sink("delivery.sent" if record.get("sent") else "delivery.failed",
                 {"night": night, "message": record["message"], "to": record.get("to"),
                  "error": record.get("error"), "refused": record.get("refused") or {}})
        if record.get("sent"):
            refused = record.get("refused") or {}
            terminal.echo(f"sent {record['message']} of {night} to {', '.join(record['to'])}"
                          + (f" (refused: {', '.join(refused)})" if refused else ""))
        elif sink is None:
            terminal.say(f"{record['message']} of {night}: {record.get('error')}",
                         style="bold red", label="not delivered:")
    raise typer.Exit(int(ExitCode.PARTIAL if any(not r.get("sent") for r in records)
                         else ExitCode.OK))


def _report(result: NightlyResult) -> str:
    summary = result.summary
    if result.dry_run and result.rebuilt:
        return (f"Dry run for {result.night}: a past night (the state has later nights); a run "
                "would only rebuild its digest from the state. Nothing was changed.")
    if result.dry_run:
        lines = [f"Dry run for {result.night}: nothing was changed."]
        for key, action in result.planned:
            lines.append(f"  {action:<12} {key}")
        actions = ", ".join(f"{summary.count(k)} {k}" for k in (
            "new", "changed", "unchanged", "retried", "resumed", "reprocessed", "exhausted")
            if summary.count(k))
        lines.append(f"{summary.seen} article(s) read: {actions or 'none'}.")
        lines += _source_lines(summary)
        return "\n".join(lines)
    if result.rebuilt:
        lines = [f"Night {result.night}: a past night (the state has later nights); its digest "
                 "was rebuilt from the state, nothing was read or briefed."]
    else:
        counts = ", ".join(f"{summary.count(k)} {k}" for k in (
            "new", "changed", "unchanged", "retried", "resumed", "reprocessed"))
        outcome = ", ".join(f"{summary.count(k)} {k}" for k in ("done", "failed", "exhausted"))
        durations = summary.durations
        lines = [
            f"Night {result.night} (run {summary.run_id}): {counts}; {outcome}.",
            "Durations: " + ", ".join(f"{label} {durations[key]:.1f}s" for label, key in (
                ("reading", "collect_s"), ("models", "models_s"), ("briefing", "process_s"),
                ("digest", "digest_s"), ("total", "total_s"))),
        ]
    night_failed = len(result.digest["failed"]) if result.digest else summary.failed
    if night_failed:
        lines.append(f"{night_failed} article(s) of this night not briefed: see the digest.")
    lines += _source_lines(summary)
    for record in summary.delivery or []:
        if record.get("already_sent"):
            continue
        if record.get("sent"):
            lines.append(f"delivered: {record['message']} to {', '.join(record.get('to') or [])}")
        else:
            lines.append(f"not delivered: {record['message']}: {record.get('error')} (retried "
                         "by the next run of the night; --deliver-only sends it now)")
    lines.append(f"models loaded: {'yes' if summary.models_loaded else 'no'}")
    if "digest.html" in result.paths:
        lines.append(f"digest: {result.paths['digest.html']}")
    return "\n".join(lines)


def _source_lines(summary) -> list[str]:
    return ([f"source not read: {e['message']}" for e in summary.source_errors]
            + [f"source read only in part: {w['message']}" for w in summary.source_warnings])
