"""`briefing story PATH...`: one event across outlets: a story briefing and who says what."""

from __future__ import annotations

import json
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
from pipeline.core.exit_codes import ExitCode
from pipeline.core.fileio import atomic_write_text
from pipeline.support.inputs import MAX_RECORD_BYTES


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
    members, errors = read_story_inputs(paths, max_bytes=MAX_RECORD_BYTES,
                                        outlets=app_config.nightly.outlets)
    for error in errors:
        terminal.say(error, style="bold red", label="error:")
    stories = make_stories(members, app_config, group=group, with_briefing=not no_briefing) \
        if members else []
    if out is not None:
        if group:
            out.mkdir(parents=True, exist_ok=True)
            for story in stories:
                atomic_write_text(out / f"story-{story.event}.json",
                                  json.dumps(story.to_dict(), ensure_ascii=False, indent=2) + "\n")
        elif stories:
            atomic_write_text(out, json.dumps(stories[0].to_dict(), ensure_ascii=False, indent=2)
                              + "\n")
    if output_format == "json":
        payload = [s.to_dict() for s in stories] if group else (
            stories[0].to_dict() if stories else None)
        terminal.echo(terminal.json_text(payload, indent=2))
    else:
        from pipeline.story.render_text import story_text

        for story in stories:
            terminal.echo(story_text(story))
    if errors or not members:
        if not members and not errors:
            terminal.say("no briefing was given", style="bold red", label="error:")
        raise typer.Exit(int(ExitCode.USAGE))
    if any(story.disagreements for story in stories):
        raise typer.Exit(int(ExitCode.PARTIAL))
