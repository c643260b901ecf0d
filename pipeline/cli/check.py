"""`briefing check PATH...`: check every name and figure of any briefing against its article."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from pipeline.cli import terminal
from pipeline.cli.common import flag, handle_errors
from pipeline.core.exit_codes import ExitCode
from pipeline.support.apply import support_summary
from pipeline.support.claims import SupportChecker
from pipeline.support.inputs import CheckInputError, read_check_inputs


@handle_errors
def check_command(
    paths: Annotated[list[Path], typer.Argument(
        help="Briefing JSON files, batch output directories, or JSONL with id, prediction, "
             "source (English) and optional source_nl.", show_default=False)],
    output_format: Annotated[
        Literal["text", "json"], typer.Option("--format", help="Output format.")
    ] = "text",
    aliases: Annotated[list[Path] | None, typer.Option(
        "--aliases", help="Extra alias table (TAB-separated names, one entity a line); "
        "repeatable.", dir_okay=False, show_default=False, metavar="<file>")] = None,
    no_spacy: Annotated[bool, flag("--no-spacy",
                                   help="Use the rule-based entity finder instead of spaCy.")
                        ] = False,
) -> None:
    """Check that every name and figure of each briefing occurs in its article.

    Exit codes:
    0 every claim is supported.
    1 some claim is not.
    2 unusable input (the usable briefings are still checked and reported).
    """
    checker = SupportChecker.with_alias_files(aliases or [], use_spacy=not no_spacy)
    results: dict[str, dict] = {}
    unusable = 0
    for item in read_check_inputs(paths):
        if isinstance(item, CheckInputError):
            unusable += 1
            terminal.say(item, style="bold red", label="error:")
            continue
        if item.id in results:
            unusable += 1
            terminal.say(f"{item.origin}: duplicate id {item.id} (also in "
                         f"{results[item.id]['origin']}); not checked twice",
                         style="bold red", label="error:")
            continue
        checked = support_summary(checker, item.sentences, item.translation,
                                  source_nl=item.source_nl, extra_en=item.title_en,
                                  policy="flag")
        results[item.id] = {"origin": item.origin, "summary": checked.summary,
                            "support": checked.support}
    total = sum(r["support"]["unsupported"] for r in results.values())
    if output_format == "json":
        terminal.echo(terminal.json_text(results, indent=2))
    else:
        for briefing_id, result in results.items():
            for number, sentence in enumerate(result["summary"], start=1):
                for claim in sentence["unsupported"]:
                    terminal.echo("\t".join(terminal.field(value) for value in (
                        briefing_id, f"sentence {number}", claim["text"], claim["label"])))
        claims = sum(r["support"]["claims"] for r in results.values())
        notice = checker.ner.notice
        terminal.echo(f"{total} unsupported of {claims} claims in {len(results)} briefing(s)"
                   + (f"; {unusable} input(s) unusable" if unusable else "")
                   + f" (NER: {checker.ner.name})")
        if notice:
            terminal.say(f"note: {notice}")
    if unusable:
        raise typer.Exit(int(ExitCode.USAGE))
    if total:
        raise typer.Exit(int(ExitCode.PARTIAL))
