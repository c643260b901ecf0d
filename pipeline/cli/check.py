"""`briefing check PATH...`: check every name and figure of any briefing against its article."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape

from pipeline.cli.common import flag, handle_errors, stderr
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
            stderr.print(f"[bold red]error:[/] {escape(str(item))}", markup=True)
            continue
        if item.id in results:
            unusable += 1
            stderr.print(f"[bold red]error:[/] {escape(item.origin)}: duplicate id {escape(item.id)} "
                         f"(also in {escape(results[item.id]['origin'])}); not checked twice",
                         markup=True)
            continue
        checked = support_summary(checker, item.sentences, item.translation,
                                  source_nl=item.source_nl, extra_en=item.title_en,
                                  policy="flag")
        results[item.id] = {"origin": item.origin, "summary": checked.summary,
                            "support": checked.support}
    total = sum(r["support"]["unsupported"] for r in results.values())
    if output_format == "json":
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for briefing_id, result in results.items():
            for number, sentence in enumerate(result["summary"], start=1):
                for claim in sentence["unsupported"]:
                    typer.echo(f"{briefing_id}\tsentence {number}\t{claim['text']}\t"
                               f"{claim['label']}"
                               + (f"\t{claim['reason']}" if claim.get("reason") else ""))
        for briefing_id, result in results.items():
            casing = result["support"].get("casing")
            if casing:
                stderr.print(f"note: {escape(briefing_id)}: {escape(casing['notice'])}")
            if result["support"].get("placeholder_notice"):
                stderr.print(f"note: {escape(briefing_id)}: "
                             f"{escape(result['support']['placeholder_notice'])}")
        claims = sum(r["support"]["claims"] for r in results.values())
        notice = checker.ner.notice
        typer.echo(f"{total} unsupported of {claims} claims in {len(results)} briefing(s)"
                   + (f"; {unusable} input(s) unusable" if unusable else "")
                   + f" (NER: {checker.ner.name})")
        if notice:
            stderr.print(f"note: {escape(notice)}")
    if unusable:
        raise typer.Exit(int(ExitCode.USAGE))
    if total:
        raise typer.Exit(int(ExitCode.PARTIAL))
