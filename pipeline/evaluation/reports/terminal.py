"""The summary ``briefing eval`` prints: headline metrics per system, within 100 columns.

Metrics are rows and systems columns (at most :data:`SYSTEMS_PER_BLOCK` side by side,
further systems in another block), so the width does not grow with the number of metrics.
"""

from __future__ import annotations

from pipeline.evaluation.reports.format import fmt, fmt_estimate
from pipeline.evaluation.results import Report, SystemResult

WIDTH = 100
SYSTEMS_PER_BLOCK = 3
NAME_WIDTH = 20
COLUMNS = ("rouge1", "rouge2", "rougeL", "rougeLsum", "entity_recall",
           "entity_source_precision", "figure_recall")


def _short(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


def _block(systems: list[SystemResult]) -> list[str]:
    rows = [["metric", *(_short(s.name) for s in systems)],
            ["articles", *(str(len(s.articles)) for s in systems)]]
    rows += [[metric, *(fmt_estimate(s.metrics[metric]) if metric in s.metrics else "-"
                        for s in systems)]
             for metric in COLUMNS]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def render_summary(report: Report) -> str:
    """The terminal summary: value [95% interval] per metric and system, then chrF/BLEU.

    Every line fits :data:`WIDTH` columns (system names are shortened to
    :data:`NAME_WIDTH` characters); sacrebleu signatures are in the report files.
    """
    lines: list[str] = []
    systems = report.systems
    for start in range(0, len(systems), SYSTEMS_PER_BLOCK):
        if lines:
            lines.append("")
        lines += _block(systems[start : start + SYSTEMS_PER_BLOCK])
    for system in systems:
        for name, score in system.translation.items():
            interval = ("" if score.low is None or score.high is None
                        else f" [{fmt(score.low, 2)}, {fmt(score.high, 2)}]")
            empty = f", {score.n_empty} empty" if score.n_empty else ""
            lines.append(f"{_short(system.name)}: {name} {fmt(score.value, 2)}{interval} "
                         f"(n={score.n}{empty})")
    return "\n".join(lines)
