"""``report.html``: one self-contained page (inline CSS and SVG, no scripts, no external files).

The markup is ``pipeline/pages/templates/eval/report.html`` (autoescaped, XHTML-compatible:
every element closed, attributes quoted, all text escaped, so it parses with a strict XML
parser as well as with browsers); this module gathers what it shows.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core.fileio import atomic_write_text
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
from pipeline.evaluation.reports.svg import BASELINE_COLOR, PALETTE, bar_chart, strip_plot
from pipeline.evaluation.results import ArticleResult, Report, SystemResult
from pipeline.pages import render


def _colors(report: Report) -> dict[str, str]:
    colors, k = {}, 0
    for system in report.systems:
        if system.baseline:
            colors[system.name] = BASELINE_COLOR
        else:
            colors[system.name] = PALETTE[k % len(PALETTE)]
            k += 1
    return colors


def render_html(report: Report) -> str:
    """The HTML report.

    Args:
        report: the evaluation result.

    Returns:
        The document text.
    """
    bars, strips = _charts(report, _colors(report))
    return render(
        "eval/report.html", void="/", created=report.created, git_commit=report.git_commit,
        system_names=[s.name for s in report.systems], gate=_gate(report), notes=report.notes,
        systems=_systems(report), translation=_translation(report),
        skipped=", ".join(f"{m} ({r})" for m, r in report.skipped_metrics.items()),
        mismatches=mismatch_lines(report), bars=bars, strips=strips, worst_by=WORST_BY,
        per_system=[{"name": s.name, "worst": _article_rows(worst_articles(s)),
                     "all": _article_rows(s.articles)} for s in report.systems],
        sentences=_sentence_support(report), settings=_settings(report))


def _systems(report: Report) -> dict:
    metrics = shown_metrics(report, HEADLINE)
    header = ["metric"] + [s.name + (" (baseline)" if s.baseline else "") for s in report.systems]
    rows = [["articles"] + [str(len(s.articles)) for s in report.systems]]
    rows += [[m] + [fmt_estimate(s.metrics.get(m)) for s in report.systems] for m in metrics]
    return {"header": header, "rows": rows, "numeric": list(range(1, len(header)))}


def _translation(report: Report) -> list[list[str]]:
    return [[s.name, name, fmt(score.value, 2), score.signature]
            for s in report.systems if s.translation for name, score in s.translation.items()]


def _gate(report: Report) -> dict | None:
    """The verdict, first thing on the page: passed, FAILED (with each miss), or None."""
    if not report.gate_rules:
        return None
    return {"rules": [(r.metric, f"{r.threshold:g}") for r in report.gate_rules],
            "failures": [c.describe() for c in report.gate_failures]}


def _charts(report: Report, colors: dict[str, str]) -> tuple[list[dict], list[dict]]:
    metrics = shown_metrics(report, HEADLINE)
    bars, strips = [], []
    for metric in metrics:
        maximum = METRICS[metric].maximum
        bars.append(bar_chart(metric, [
            (s.name, *_triple(s, metric), colors[s.name]) for s in report.systems], maximum))
        strips.append(strip_plot(metric, [
            (s.name, [v for a in s.articles if (v := a.value(metric)) is not None], colors[s.name])
            for s in report.systems], maximum))
    for system in report.systems:
        for name, score in system.translation.items():
            bars.append(bar_chart(f"{name} ({system.name})",
                                  [(system.name, score.value, score.low, score.high,
                                    colors[system.name])], 100.0))
    return bars, strips


def _triple(system: SystemResult, metric: str) -> tuple[float | None, float | None, float | None]:
    estimate = system.metrics.get(metric)
    if estimate is None:
        return None, None, None
    return estimate.value, estimate.low, estimate.high


def _article_rows(articles: list[ArticleResult]) -> list[dict]:
    rows = []
    for a in articles:
        named, figures = a.entities["named"], a.entities["figures"]
        notes = entity_notes(a)
        rows.append({
            "id": a.id, "empty": a.empty_prediction,
            "scores": [*(fmt(a.rouge[t].f1) for t in ("rouge1", "rouge2", "rougeL", "rougeLsum")),
                       fmt(named.recall), fmt(named.precision), fmt(named.source_precision),
                       fmt(figures.recall), fmt(figures.precision),
                       fmt(figures.source_precision)],
            "missed": notes["missed"], "vs_reference": notes["unsupported_vs_reference"],
            "vs_source": notes["unsupported_vs_source"] if a.has_source else None})
    return rows


def _sentence_support(report: Report) -> list[dict] | None:
    # Per system, every briefing sentence with a claim the article does not contain.
    if not any(a.sentences for s in report.systems for a in s.articles):
        return None
    return [{"name": system.name,
             "rows": [[a.id, str(n), s] for a in system.articles
                      for n, s in enumerate(a.sentences, start=1) if s.unsupported]}
            for system in report.systems]


def _settings(report: Report) -> list[list[str]]:
    s = report.settings
    entities = s["entities"]
    ner = (f"spaCy {entities['name']} {entities['version']} (package {entities['package']} "
           f"{entities['package_version']}, spaCy {entities['spacy_version']})"
           if entities["extractor"] == "spacy"
           else f"rule-based fallback {entities['name']}: {entities['fallback_reason']}")
    return [
        ["ROUGE", (f"{', '.join(s['rouge']['types'])}; stemming on; tokenizer "
                   f"{s['rouge']['tokenizer']}; sentences {s['rouge']['sentence_splitter']}")],
        ["Bootstrap", (f"{s['bootstrap']['samples']} samples, seed {s['bootstrap']['seed']}; "
                       f"{s['bootstrap']['method']}")],
        ["Entities", f"{ner}; matching {entities['matching']}"],
        ["Aliases", "; ".join(f"{a['path']} sha256 {a['sha256']} ({a['rows']} rows)"
                              for a in s["aliases"])],
        ["Baseline", f"{s['baseline']['name']} {s['baseline']['status']}"],
        ["Versions", ", ".join(f"{k} {v}" for k, v in report.versions.items())],
    ]


def write_html(report: Report, path: Path) -> Path:
    """Write ``report.html``.

    Args:
        report: the evaluation result.
        path: the file to write.

    Returns:
        The path written.
    """
    atomic_write_text(path, render_html(report))
    return path
