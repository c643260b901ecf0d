"""`briefing story PATH...`: one event across outlets: a story briefing and who says what."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from pipeline.cli import terminal
from pipeline.cli.common import (
    ConfigOption,
    SetOption,
    SummarizerOption,
    flag,
    handle_errors,
    resolve_config,
)
from pipeline.core.errors import EnvironmentFailure, InvalidArgumentError
from pipeline.core.exit_codes import ExitCode
from pipeline.core.fileio import atomic_write_text
from pipeline.support.inputs import MAX_RECORD_BYTES


def _is_briefing(path: Path) -> bool:
    from pipeline.core.errors import JsonInputError
    from pipeline.ingest.jsonio import read_json_file
    from pipeline.record.briefing import is_briefing_record

    try:
        data = read_json_file(path, max_bytes=MAX_RECORD_BYTES)
    except (OSError, JsonInputError):
        return False
    return is_briefing_record(data)


def _check_out(out: Path, inputs: list[Path], *, group: bool) -> None:
    """Refuse an ``--out`` that cannot take what it is given, before any work."""
    if out.is_file() and _is_briefing(out):
        raise InvalidArgumentError(f"--out {out} is a briefing (one of the inputs?); the story "
                                   "would replace it")
    if group and out.exists() and not out.is_dir():
        raise InvalidArgumentError(f"--out {out} is a file; with --group it names the "
                                   "directory that gets one story-<event>.json per event")
    if not group and out.is_dir():
        raise InvalidArgumentError(f"--out {out} is a directory; without --group it names "
                                   "the story's JSON file")
    parent = (out if group else out.parent).resolve()
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise InvalidArgumentError(f"--out {out} cannot be written ({parent} is not writable)")


@handle_errors
def story_command(
    paths: Annotated[list[Path], typer.Argument(
        help="Briefing JSON files or `briefing batch` output directories.", show_default=False)],
    output_format: Annotated[
        Literal["text", "json"], typer.Option("--format", help="Output format.")
    ] = "text",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the story JSON here as well (one event), or one "
        "story-<event>.json per event into this directory (with --group).",
        show_default=False, metavar="<path>")] = None,
    group: Annotated[bool, flag("--group", help="Group the briefings by event first "
                                "(the nightly's grouping) and make one story per event.")] = False,
    no_briefing: Annotated[bool, flag("--no-briefing", help="Compare figures and names only; "
                                      "load no model.")] = False,
    config: ConfigOption = None,
    summarizer: SummarizerOption = None,
    set_: SetOption = None,
) -> None:
    """Brief one event across outlets and list where they disagree.

    Exit codes:
    0 no disagreement found.
    1 some figure is reported in ways that cannot all be true.
    2 unusable input (the usable briefings are still compared and reported).
    """
    from pipeline.story.inputs import read_story_inputs
    from pipeline.story.run import make_stories

    app_config = resolve_config(config, None, summarizer, set_)
    if out is not None:
        _check_out(out, paths, group=group)  # before any model is loaded
    members, errors = read_story_inputs(paths, max_bytes=MAX_RECORD_BYTES,
                                        outlets=app_config.nightly.outlets)
    for error in errors:
        terminal.say(error, style="bold red", label="error:")
    stories = make_stories(members, app_config, group=group, with_briefing=not no_briefing) \
        if members else []
    if out is not None:
        try:
            if group:
                out.mkdir(parents=True, exist_ok=True)
                for story in stories:
                    atomic_write_text(out / f"story-{story.event}.json", json.dumps(
                        story.to_dict(), ensure_ascii=False, indent=2) + "\n")
            elif stories:
                atomic_write_text(out, json.dumps(stories[0].to_dict(), ensure_ascii=False,
                                                  indent=2) + "\n")
        except OSError as err:
            raise EnvironmentFailure(f"cannot write the story to {out} "
                                     f"({err.strerror or err})") from err
    if group and members:
        grouped = sum(len(story.articles) for story in stories)
        if grouped < len(members):
            terminal.say(f"note: {len(members) - grouped} of {len(members)} briefing(s) are in "
                         "no event of two or more articles: no story for them")
    if output_format == "json":
        payload = [s.to_dict() for s in stories] if group else (
            stories[0].to_dict() if stories else None)
        terminal.echo(terminal.json_text(payload, indent=2))
    else:
        from pipeline.story.render_text import story_text

        for story in stories:
            terminal.echo(story_text(story))
        if group and members and not stories:
            terminal.echo(f"No event of two or more articles among {len(members)} briefing(s).")
    if errors or not members:
        if not members and not errors:
            terminal.say("no briefing found in " + ", ".join(str(p) for p in paths),
                         style="bold red", label="error:")
        raise typer.Exit(int(ExitCode.USAGE))
    if any(story.disagreements for story in stories):
        raise typer.Exit(int(ExitCode.PARTIAL))
