"""``report.html``: one self-contained page (inline CSS and SVG, no scripts, no external files).

The markup is XHTML-compatible (every element closed, attributes quoted, all text
escaped), so it parses with a strict XML parser as well as with browsers.
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
from pipeline.evaluation.reports.svg import BASELINE_COLOR, PALETTE, bar_chart, esc, strip_plot
from pipeline.evaluation.results import ArticleResult, Report, SystemResult

CSS = """
:root{--bg:#fff;--fg:#222;--muted:#666;--line:#ddd;--head:#f4f4f4;--notebg:#fff4e5;
--fail:#b00020;--pass:#1a7f37;--unsup:#8a4b00;--grid:#e5e5e5;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#16171a;--fg:#e8e6e3;--muted:#a0a0a8;
--line:#3a3c42;--head:#23252a;--notebg:#2e241b;--fail:#ff7a8a;--pass:#5fd38a;--unsup:#ffb86b;
--grid:#33353a}}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px auto;
max-width:1200px;padding:0 16px;color:var(--fg);background:var(--bg);line-height:1.4}
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid var(--line)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;margin:8px 0;font-size:0.9em}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--head)}td.num{text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}
.note{background:var(--notebg);border-left:4px solid #f0a020;padding:8px 12px;margin:8px 0}
.verdict{font-size:1.1em;padding:10px 14px;border:2px solid currentColor;border-radius:6px}
.verdict p{margin:0}
.fail{color:var(--fail);font-weight:bold}.pass{color:var(--pass);font-weight:bold}
.meta{color:var(--muted);overflow-wrap:anywhere}.charts{display:flex;flex-wrap:wrap;gap:12px}
.missed{color:var(--fail)}.unsup{color:var(--unsup)}code{font-size:0.9em;overflow-wrap:anywhere}
svg{max-width:100%;height:auto}svg text{fill:var(--fg)}
svg .t{font-size:13px;font-weight:bold}svg .lab{font-size:11px;text-anchor:end}
svg .val,svg .tick{font-size:10px}svg .tick{text-anchor:middle;fill:var(--muted)}
svg .grid{stroke:var(--grid)}svg .ci{stroke:var(--fg);stroke-width:1.5}svg .whisker{stroke:#888}
@media (max-width:600px){body{margin:12px auto;padding:0 10px}h1{font-size:1.3em}
table{font-size:0.8em}th,td{padding:3px 5px}}
"""


def _colors(report: Report) -> dict[str, str]:
    colors, k = {}, 0
    for system in report.systems:
        if system.baseline:
            colors[system.name] = BASELINE_COLOR
        else:
            colors[system.name] = PALETTE[k % len(PALETTE)]
            k += 1
    return colors


def _table(header: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    """A table; header cells are escaped here, row cells must already be markup."""
    numeric = numeric or set()
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    # The wrapper scrolls sideways on a phone instead of widening the page.
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            "</table></div>")


def _items(items: list[str], css: str) -> str:
    if not items:
        return "–"
    return "; ".join(f'<span class="{css}">{esc(i)}</span>' for i in items)


def render_html(report: Report) -> str:
    """The HTML report.

    Args:
        report: the evaluation result.

    Returns:
        The document text.
    """
    colors = _colors(report)
    parts = [
        "<!DOCTYPE html>",
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
        '<head><meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        '<meta name="color-scheme" content="light dark"/>',
        "<title>Briefing evaluation</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Briefing evaluation</h1>",
        (f'<p class="meta">Created {esc(report.created)} · git {esc(report.git_commit or "unknown")}'
         f" · systems: {esc(', '.join(s.name for s in report.systems))}</p>"),
    ]
    parts += _gate(report)
    parts += [f'<div class="note">{esc(note)}</div>' for note in report.notes]
    parts += _systems(report)
    parts += _translation(report)
    mismatches = mismatch_lines(report)
    if mismatches:
        parts.append("<h2>Ids on one side only</h2><ul>"
                     + "".join(f"<li>{esc(m)}</li>" for m in mismatches) + "</ul>")
    parts += _charts(report, colors)
    parts.append("<h2>Worst articles</h2>")
    parts.append(f"<p>Lowest {esc(WORST_BY)} F1 first, with the entities each briefing missed "
                 "(in the reference, not in the briefing) and those it does not support "
                 "(in the briefing, not in the reference / not in the article).</p>")
    for system in report.systems:
        parts += _article_table(system, worst_articles(system), f"{system.name}")
    parts += _sentence_support(report)
    parts.append("<h2>All articles</h2>")
    for system in report.systems:
        parts.append(f"<details><summary>{esc(system.name)}: {len(system.articles)} articles"
                     "</summary>")
        parts += _article_table(system, system.articles, None)
        parts.append("</details>")
    parts += _settings(report)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _systems(report: Report) -> list[str]:
    metrics = shown_metrics(report, HEADLINE)
    header = ["metric"] + [s.name + (" (baseline)" if s.baseline else "") for s in report.systems]
    rows = [["articles"] + [str(len(s.articles)) for s in report.systems]]
    rows += [[esc(m)] + [esc(fmt_estimate(s.metrics.get(m))) for s in report.systems]
             for m in metrics]
    parts = ["<h2>Systems</h2>",
             ("<p>Mean over articles with 95% bootstrap interval; higher is better for every "
              "metric.</p>"),
             _table(header, rows, numeric=set(range(1, len(header))))]
    if report.skipped_metrics:
        parts.append("<p>Not computed: " + esc(", ".join(
            f"{m} ({r})" for m, r in report.skipped_metrics.items())) + ".</p>")
    return parts


def _translation(report: Report) -> list[str]:
    scored = [s for s in report.systems if s.translation]
    if not scored:
        return []
    rows = [[esc(s.name), esc(name), esc(fmt(score.value, 2)), f"<code>{esc(score.signature)}</code>"]
            for s in scored for name, score in s.translation.items()]
    return ["<h2>Translation (sacrebleu, 0-100)</h2>",
            _table(["system", "metric", "score", "signature"], rows, numeric={2})]


def _gate(report: Report) -> list[str]:
    """The verdict, first thing on the page: passed, FAILED (with each miss) or no gate."""
    if not report.gate_rules:
        return ['<p class="verdict meta">No gate: no gate rules were given.</p>']
    failures = report.gate_failures
    verdict = ('<span class="fail">Gate FAILED</span>' if failures
               else '<span class="pass">Gate passed</span>')
    css = "fail" if failures else "pass"
    rules = ", ".join(f"{esc(r.metric)} &gt;= {r.threshold:g}" for r in report.gate_rules)
    items = "".join(f"<li>{esc(c.describe())}</li>" for c in failures)
    return [f'<div class="verdict {css}" id="gate"><p>{verdict}: {rules} '
            "(every non-baseline system)</p>" + (f"<ul>{items}</ul>" if items else "") + "</div>"]


def _charts(report: Report, colors: dict[str, str]) -> list[str]:
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
    return ["<h2>Scores by metric</h2>",
            "<p>Bars: mean; whiskers: 95% bootstrap interval.</p>",
            '<div class="charts">' + "".join(bars) + "</div>",
            "<h2>Per-article distributions</h2>",
            "<p>Dots: articles; box: quartiles and median; line: minimum to maximum.</p>",
            '<div class="charts">' + "".join(strips) + "</div>"]


def _triple(system: SystemResult, metric: str) -> tuple[float | None, float | None, float | None]:
    estimate = system.metrics.get(metric)
    if estimate is None:
        return None, None, None
    return estimate.value, estimate.low, estimate.high


def _article_table(system: SystemResult, articles: list[ArticleResult], title: str | None
                   ) -> list[str]:
    header = ["id", "R-1", "R-2", "R-L", "R-Lsum", "entity R", "entity P", "entity P(src)",
              "figure R", "figure P", "figure P(src)", "missed", "unsupported vs reference",
              "unsupported vs source"]
    rows = []
    for a in articles:
        named, figures = a.entities["named"], a.entities["figures"]
        notes = entity_notes(a)
        flag = " <em>(empty briefing)</em>" if a.empty_prediction else ""
        rows.append([
            esc(a.id) + flag,
            *(esc(fmt(a.rouge[t].f1)) for t in ("rouge1", "rouge2", "rougeL", "rougeLsum")),
            esc(fmt(named.recall)), esc(fmt(named.precision)), esc(fmt(named.source_precision)),
            esc(fmt(figures.recall)), esc(fmt(figures.precision)),
            esc(fmt(figures.source_precision)),
            _items(notes["missed"], "missed"),
            _items(notes["unsupported_vs_reference"], "unsup"),
            _items(notes["unsupported_vs_source"], "unsup") if a.has_source else "no source",
        ])
    parts = [f"<h3>{esc(title)}</h3>"] if title is not None else []
    return parts + [_table(header, rows, numeric=set(range(1, 11)))]


def _sentence_support(report: Report) -> list[str]:
    # Per system, every briefing sentence with a claim the article does not contain.
    from pipeline.record.marks import MARK, marked_text

    if not any(a.sentences for s in report.systems for a in s.articles):
        return []
    parts = ["<h2>Sentences with claims not in the article</h2>",
             f"<p>Each marked claim ({MARK}) was not found in the article (English or Dutch).</p>"]
    for system in report.systems:
        rows = [[esc(a.id), str(n), marked_text(s, '<mark class="unsup">{} ' + MARK + "</mark>",
                                               escape=esc)]
                for a in system.articles for n, s in enumerate(a.sentences, start=1)
                if s.get("unsupported")]
        parts.append(f"<h3>{esc(system.name)}</h3>")
        parts.append(_table(["id", "sentence", "text"], rows, numeric={1}) if rows
                     else "<p>Every name and figure of every checked sentence is in its "
                     "article.</p>")
    return parts


def _settings(report: Report) -> list[str]:
    s = report.settings
    entities = s["entities"]
    ner = (f"spaCy {entities['name']} {entities['version']} (package {entities['package']} "
           f"{entities['package_version']}, spaCy {entities['spacy_version']})"
           if entities["extractor"] == "spacy"
           else f"rule-based fallback {entities['name']}: {entities['fallback_reason']}")
    rows = [
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
    return ["<h2>Settings</h2>", _table(["setting", "value"], [[esc(a), esc(b)] for a, b in rows])]


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
