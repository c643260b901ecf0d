"""Inline SVG charts for report.html, drawn in Python (no JavaScript, no external files).

Output is XML-well-formed; every text goes through :func:`esc`.
"""

from __future__ import annotations

from html import escape

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
BASELINE_COLOR = "#7f7f7f"
LABEL_W, PLOT_W, ROW_H, TOP, BOTTOM = 130, 220, 26, 26, 24


def esc(text: object) -> str:
    """HTML/XML-escape any value (quotes included)."""
    return escape(str(text), quote=True)


def _ticks(maximum: float) -> list[float]:
    return [maximum * k / 4 for k in range(5)]


def _x(value: float, maximum: float) -> float:
    return LABEL_W + PLOT_W * max(0.0, min(value, maximum)) / maximum


def _frame(title: str, rows: int, maximum: float, body: list[str]) -> str:
    height = TOP + rows * ROW_H + BOTTOM
    width = LABEL_W + PLOT_W + 60
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">'),
        f'<title>{esc(title)}</title>',
        f'<text x="4" y="16" class="t">{esc(title)}</text>',
    ]
    axis_y = TOP + rows * ROW_H
    for tick in _ticks(maximum):
        x = _x(tick, maximum)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{axis_y}" class="grid"/>')
        label = f"{tick:g}" if maximum > 1 else f"{tick:.2f}"
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 14}" class="tick">{label}</text>')
    parts += body
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, bars: list[tuple[str, float | None, float | None, float | None, str]],
              maximum: float = 1.0) -> str:
    """Horizontal bars with 95% interval whiskers, one row per system.

    Args:
        title: chart title (the metric name).
        bars: ``(system, value, low, high, colour)``; a None value draws "n/a".
        maximum: the scale's maximum (1 or 100).

    Returns:
        An ``<svg>`` element as a string.
    """
    body = []
    for row, (name, value, low, high, color) in enumerate(bars):
        y = TOP + row * ROW_H
        mid = y + ROW_H / 2
        body.append(f'<text x="{LABEL_W - 6}" y="{mid + 4:.1f}" class="lab">{esc(name)}</text>')
        if value is None:
            body.append(f'<text x="{LABEL_W + 4}" y="{mid + 4:.1f}" class="val">n/a</text>')
            continue
        body.append(f'<rect x="{LABEL_W}" y="{y + 5}" width="{_x(value, maximum) - LABEL_W:.1f}" '
                    f'height="{ROW_H - 10}" fill="{color}" opacity="0.8"/>')
        if low is not None and high is not None:
            x1, x2 = _x(low, maximum), _x(high, maximum)
            body.append(f'<line x1="{x1:.1f}" y1="{mid:.1f}" x2="{x2:.1f}" y2="{mid:.1f}" class="ci"/>')
            for x in (x1, x2):
                body.append(f'<line x1="{x:.1f}" y1="{mid - 5:.1f}" x2="{x:.1f}" y2="{mid + 5:.1f}" '
                            'class="ci"/>')
        shown = f"{value:.1f}" if maximum > 1 else f"{value:.3f}"
        body.append(f'<text x="{LABEL_W + PLOT_W + 6}" y="{mid + 4:.1f}" class="val">{shown}</text>')
    return _frame(title, len(bars), maximum, body)


def strip_plot(title: str, rows: list[tuple[str, list[float], str]], maximum: float = 1.0) -> str:
    """Per-article values as dots over a box (quartiles, median, min-max whiskers), one row per system.

    Args:
        title: chart title.
        rows: ``(system, per-article values, colour)``; undefined values left out.
        maximum: the scale's maximum.

    Returns:
        An ``<svg>`` element as a string.
    """
    body = []
    for row, (name, values, color) in enumerate(rows):
        y = TOP + row * ROW_H
        mid = y + ROW_H / 2
        body.append(f'<text x="{LABEL_W - 6}" y="{mid + 4:.1f}" class="lab">{esc(name)}</text>')
        if not values:
            body.append(f'<text x="{LABEL_W + 4}" y="{mid + 4:.1f}" class="val">n/a</text>')
            continue
        lo, q1, med, q3, hi = np.percentile(values, [0, 25, 50, 75, 100])
        body.append(f'<line x1="{_x(lo, maximum):.1f}" y1="{mid:.1f}" x2="{_x(hi, maximum):.1f}" '
                    f'y2="{mid:.1f}" class="whisker"/>')
        body.append(f'<rect x="{_x(q1, maximum):.1f}" y="{y + 6}" '
                    f'width="{max(_x(q3, maximum) - _x(q1, maximum), 1):.1f}" height="{ROW_H - 12}" '
                    f'fill="{color}" opacity="0.25" stroke="{color}"/>')
        body.append(f'<line x1="{_x(med, maximum):.1f}" y1="{y + 4}" x2="{_x(med, maximum):.1f}" '
                    f'y2="{y + ROW_H - 4}" stroke="{color}" stroke-width="2"/>')
        for i, value in enumerate(values):
            jitter = ((i * 7) % 11 - 5) * 0.9  # deterministic, so reruns draw the same picture
            body.append(f'<circle cx="{_x(value, maximum):.1f}" cy="{mid + jitter:.1f}" r="2.2" '
                        f'fill="{color}" opacity="0.7"/>')
        body.append(f'<text x="{LABEL_W + PLOT_W + 6}" y="{mid + 4:.1f}" class="val">'
                    f'n={len(values)}</text>')
    return _frame(title, len(rows), maximum, body)
