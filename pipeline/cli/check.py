"""`briefing check PATH...`: check every name and figure of any briefing against its article
(and, with ``--consistency``, every sentence with the consistency model)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from pipeline.cli import terminal
from pipeline.cli.common import ConfigOption, SetOption, flag, handle_errors, resolve_config
from pipeline.core.errors import CheckInputError
from pipeline.core.exit_codes import ExitCode
from pipeline.support.apply import support_summary
from pipeline.support.claims import SupportChecker
from pipeline.support.consistency import INCONSISTENT, consistency_of, load_consistency_check
from pipeline.support.inputs import read_check_inputs


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
    consistency: Annotated[bool, flag(
        "--consistency", help="Also check each sentence against its evidence sentences with "
        "the consistency model (support.consistency in the config).")] = False,
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Check that every name and figure of each briefing occurs in its article.

    Exit codes:
    0 every claim is supported (and, with --consistency, no sentence is inconsistent).
    1 some claim is not (or some sentence is inconsistent).
    2 unusable input (the usable briefings are still checked and reported), or the
    consistency model is not available.
    """
    model_check = None
    if consistency:  # loaded first: a missing model stops the command before any work
        app_config = resolve_config(config, None, None, set_)
        model_check = load_consistency_check(app_config.support.consistency,
                                             app_config.runtime, offline=app_config.offline)
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
                                  policy="flag", consistency=model_check)
        results[item.id] = {"origin": item.origin, "summary": checked.summary,
                            "support": checked.support}
    total = sum(r["support"]["unsupported"] for r in results.values())
    inconsistent = [(briefing_id, number, consistency_of(sentence)[1])
                    for briefing_id, result in results.items()
                    for number, sentence in enumerate(result["summary"], start=1)
                    if consistency_of(sentence)[0] == INCONSISTENT]
    if output_format == "json":
        terminal.echo(terminal.json_text(results, indent=2))
    else:
        for briefing_id, result in results.items():
            for number, sentence in enumerate(result["summary"], start=1):
                for claim in sentence["unsupported"]:
                    terminal.echo("\t".join(terminal.field(value) for value in (
                        briefing_id, f"sentence {number}", claim["text"], claim["label"],
                        *([claim["reason"]] if claim.get("reason") else []))))
        for briefing_id, number, score in inconsistent:
            terminal.echo("\t".join(terminal.field(value) for value in (
                briefing_id, f"sentence {number}", INCONSISTENT, f"score {score:.2f}")))
        for briefing_id, result in results.items():
            casing = result["support"].get("casing")
            if casing:
                terminal.say(f"note: {briefing_id}: {casing['notice']}")
            if result["support"].get("placeholder_notice"):
                terminal.say(f"note: {briefing_id}: {result['support']['placeholder_notice']}")
        claims = sum(r["support"]["claims"] for r in results.values())
        repeated = sum(r["support"].get("repeated", 0) for r in results.values())
        notice = checker.ner.notice
        terminal.echo(f"{total} unsupported of {claims} claims"
                   + (f" ({repeated} of them names the article has, repeated in two roles)"
                      if repeated else "")
                   + f" in {len(results)} briefing(s)"
                   + (f"; {unusable} input(s) unusable" if unusable else "")
                   + f" (NER: {checker.ner.name})")
        if model_check is not None:
            scored = sum(consistency_of(s)[0] != "not-checked"
                          for r in results.values() for s in r["summary"])
            terminal.echo(f"{len(inconsistent)} inconsistent of {scored} checked sentences "
                          f"(consistency: {model_check.model.get('id')})")
        if notice:
            terminal.say(f"note: {notice}")
    if unusable:
        raise typer.Exit(int(ExitCode.USAGE))
    if total or inconsistent:
        raise typer.Exit(int(ExitCode.PARTIAL))
