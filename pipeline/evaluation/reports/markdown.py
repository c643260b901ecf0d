"""``report.md``: the editor's view: systems table with intervals, worst articles, entities."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.fileio import atomic_write_text
from pipeline.core.markdown import code, piece
from pipeline.core.markdown import text as _cell
from pipeline.evaluation.metrics.registry import HEADLINE, METRICS
from pipeline.evaluation.reports.format import (
    WORST_BY,
    entity_notes,
    fmt,
    fmt_estimate,
    mismatch_lines,
    shown_metrics,
    worst_articles,
)
from pipeline.evaluation.results import Report, SystemResult


def _list(items: list[str]) -> str:
    return _cell("; ".join(items)) if items else "–"


def render_markdown(report: Report) -> str:
    """The Markdown report.

    Args:
        report: the evaluation result.

    Returns:
        The document text.
    """
    lines = ["# Briefing evaluation", ""]
    lines += _header(report)
    lines += _systems_table(report)
    lines += _translation(report)
    lines += _gate(report)
    mismatches = mismatch_lines(report)
    if mismatches:
        lines += ["## Ids on one side only", ""] + [f"- {_cell(m)}" for m in mismatches] + [""]
    for system in report.systems:
        lines += _worst(system)
    for system in report.systems:
        lines += _sentence_support(system)
    lines += _settings(report)
    return "\n".join(lines).rstrip() + "\n"


def _header(report: Report) -> list[str]:
    # System names, ids and notes come from the user's files: every value goes through the
    # one Markdown escaper (pipeline.core.markdown), so a renderer shows them as text.
    lines = [(f"Created {_cell(report.created)} · git {_cell(report.git_commit or 'unknown')} · "
              f"systems: {_cell(', '.join(s.name for s in report.systems))}"), ""]
    for note in report.notes:
        lines += [f"> **Note:** {_cell(note)}", ""]
    return lines


def _systems_table(report: Report) -> list[str]:
    metrics = shown_metrics(report, HEADLINE)
    names = [s.name + (" (baseline)" if s.baseline else "") for s in report.systems]
    lines = ["## Systems", "",
             "Mean over articles with 95% bootstrap interval; higher is better for every metric.", "",
             "| metric | " + " | ".join(_cell(n) for n in names) + " |",
             "|---|" + "---|" * len(names),
             "| articles | " + " | ".join(str(len(s.articles)) for s in report.systems) + " |"]
    for metric in metrics:
        cells = [fmt_estimate(s.metrics.get(metric)) for s in report.systems]
        lines.append(f"| {_cell(metric)} | " + " | ".join(cells) + " |")
    lines.append("")
    if report.skipped_metrics:
        reasons: dict[str, list[str]] = {}
        for name, reason in report.skipped_metrics.items():
            reasons.setdefault(reason, []).append(name)
        for reason, names_ in reasons.items():
            lines += [f"Not computed ({_cell(reason)}): {_cell(', '.join(names_))}.", ""]
    return lines


def _translation(report: Report) -> list[str]:
    scored = [s for s in report.systems if s.translation]
    if not scored:
        return []
    lines = ["## Translation (sacrebleu, 0-100)", ""]
    for system in scored:
        for score in system.translation.values():
            lines.append(f"- **{_cell(system.name)}**: {code(score.formatted)}")
    return lines + [""]


def _gate(report: Report) -> list[str]:
    if not report.gate_rules:
        return []
    rules = ", ".join(f"{r.metric} >= {r.threshold:g}" for r in report.gate_rules)
    failures = report.gate_failures
    verdict = "**FAILED**" if failures else "passed"
    lines = ["## Gate", "", f"Rules: {rules} (every non-baseline system): {verdict}.", ""]
    lines += [f"- {_cell(c.describe())}" for c in failures]
    return lines + ([""] if failures else [])


def _worst(system: SystemResult) -> list[str]:
    if not system.articles:
        return []
    title = f"## Worst articles: {_cell(system.name)}" + (" (baseline)" if system.baseline else "")
    lines = [title, "", f"Lowest {WORST_BY} F1 first.", "",
             ("| id | rougeLsum | rouge2 | entity recall | missed | unsupported vs reference "
              "| unsupported vs source |"), "|---|---|---|---|---|---|---|"]
    for article in worst_articles(system):
        notes = entity_notes(article)
        flag = " (empty briefing)" if article.empty_prediction else ""
        lines.append(
            f"| {_cell(article.id)}{flag} | {fmt(article.rouge['rougeLsum'].f1)} "
            f"| {fmt(article.rouge['rouge2'].f1)} | {fmt(article.entities['named'].recall)} "
            f"| {_list(notes['missed'])} | {_list(notes['unsupported_vs_reference'])} "
            f"| {_list(notes['unsupported_vs_source']) if article.has_source else 'no source'} |"
        )
    return lines + [""]


def _sentence_support(system: SystemResult) -> list[str]:
    # Per briefing sentence, the claims the article does not contain (support check).
    from pipeline.record.marks import MARK, marked_text

    rows = [(a.id, n, s) for a in system.articles for n, s in enumerate(a.sentences, start=1)
            if s.unsupported]
    if not any(a.sentences for a in system.articles):
        return []
    lines = [f"## Sentences with claims to check: {_cell(system.name)}", ""]
    if not rows:
        return lines + ["Every name and figure of every checked sentence is in its article.", ""]
    lines += [f"{len(rows)} sentence(s); each marked claim ({MARK}) was not found in the "
              "article (English or Dutch), or is a name the sentence gives twice in two "
              "roles.", "", "| id | sentence | text |", "|---|---|---|"]
    mark = "**{}** " + _cell(MARK)
    lines += [f"| {_cell(i)} | {n} | {marked_text(s, mark, piece).strip()} |"
              for i, n, s in rows]
    return lines + [""]


def _settings(report: Report) -> list[str]:
    s = report.settings
    entities = s["entities"]
    ner = (f"spaCy {entities['name']} {entities['version']} (package {entities['package']} "
           f"{entities['package_version']})" if entities["extractor"] == "spacy"
           else f"rule-based fallback ({entities['fallback_reason']})")
    aliases = ", ".join(f"{a['path']} (sha256 {a['sha256'][:12]}…, {a['rows']} rows)"
                        for a in s["aliases"])
    return [
        "## Settings", "",
        (f"- ROUGE: {', '.join(s['rouge']['types'])}; Porter stemming; tokenizer "
         f"{s['rouge']['tokenizer']}; sentences {s['rouge']['sentence_splitter']}"),
        (f"- Bootstrap: {s['bootstrap']['samples']} samples, seed {s['bootstrap']['seed']}, "
         f"{int(s['bootstrap']['confidence'] * 100)}% percentile intervals"),
        f"- Entities: {_cell(ner)}; matching {entities['matching']}",
        f"- Aliases: {_cell(aliases)}",
        f"- Baseline: {_cell(s['baseline']['name'])} {_cell(s['baseline']['status'])}",
        f"- Metric definitions: eval/README.md; {len(METRICS)} metrics in report.json",
        "",
    ]


def write_markdown(report: Report, path: Path) -> Path:
    """Write ``report.md``.

    Args:
        report: the evaluation result.
        path: the file to write.

    Returns:
        The path written.
    """
    atomic_write_text(path, render_markdown(report))
    return path
