"""`briefing watch PATH... --watch FILE`: where the watchlists' names and terms occur."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from pipeline.cli import terminal
from pipeline.cli.common import handle_errors
from pipeline.core.exit_codes import ExitCode


@handle_errors
def watch_command(
    paths: Annotated[list[Path], typer.Argument(
        help="Briefing JSON files, `briefing batch` output directories, nightly output "
             "folders or archives.", show_default=False)],
    watch_file: Annotated[Path, typer.Option(
        "--watch", help="YAML list of watchlists ({name, terms, aliases}), as in the "
        "config's watch:.", dir_okay=False, show_default=False, metavar="<file>")],
    output_format: Annotated[
        Literal["text", "json"], typer.Option("--format", help="Output format.")
    ] = "text",
) -> None:
    """List every sentence that mentions a watchlist's names or terms.

    Exit codes:
    0 some watchlist was mentioned.
    1 none was.
    2 unusable input (the usable briefings are still searched and reported).
    """
    from pipeline.watch.inputs import read_briefings
    from pipeline.watch.lists import watchlists
    from pipeline.watch.match import WatchMatcher

    matcher = WatchMatcher(watchlists([], watch_file))
    hits, errors, searched = [], 0, 0
    for item in read_briefings(paths):
        if isinstance(item, str):
            errors += 1
            terminal.say(item, style="bold red", label="error:")
            continue
        searched += 1
        hits.extend(matcher.hits(item.id, [(s.en, s.nl) for s in item.sentences]))
    if output_format == "json":
        terminal.echo(terminal.json_text([h.to_dict() for h in hits], indent=2))
    else:
        for hit in hits:
            terminal.echo("\t".join(terminal.field(v) for v in (
                hit.watchlist, hit.article, f"sentence {hit.sentence + 1}", hit.matched,
                hit.nl if hit.lang == "nl" and hit.nl else hit.en)))
        names = len({h.watchlist for h in hits})
        terminal.echo(f"{len(hits)} hit(s) of {names} of {len(matcher.lists)} watchlist(s) in "
                      f"{searched} briefing(s)" + (f"; {errors} input(s) unusable" if errors
                                                   else ""))
    if errors:
        raise typer.Exit(int(ExitCode.USAGE))
    if not hits:
        raise typer.Exit(int(ExitCode.PARTIAL))
