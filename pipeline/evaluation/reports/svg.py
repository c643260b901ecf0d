"""The charts of report.html, laid out in Python (no JavaScript, no external files).

A chart is its title, size and shapes (``(tag, [(attribute, value)], text or None)``);
``pipeline/pages/templates/eval/macros.html`` writes it as an inline, XML-well-formed
``<svg>`` element (autoescaped).
"""

from __future__ import annotations

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
BASELINE_COLOR = "#7f7f7f"
LABEL_W, PLOT_W, ROW_H, TOP, BOTTOM = 130, 220, 26, 26, 24

Shape = tuple[str, list[tuple[str, object]], object]


def _ticks(maximum: float) -> list[float]:
    return [maximum * k / 4 for k in range(5)]


def _x(value: float, maximum: float) -> float:
    return LABEL_W + PLOT_W * max(0.0, min(value, maximum)) / maximum


def _n(value: object) -> str:
    # A coordinate: whole numbers as they are, others to one decimal.
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _shape(tag: str, text: object = None, **attrs: object) -> Shape:
    return (tag, [(name.rstrip("_").replace("_", "-"), _n(value)) for name, value in attrs.items()],
            text)


def _line(x1: float, y1: float, x2: float, y2: float, **attrs: object) -> Shape:
    return _shape("line", x1=x1, y1=y1, x2=x2, y2=y2, **attrs)


def _text(x: float, y: float, css: str, text: object) -> Shape:
    return _shape("text", text, x=x, y=y, class_=css)


def _frame(title: str, rows: int, maximum: float, body: list[Shape]) -> dict:
    height = TOP + rows * ROW_H + BOTTOM
    width = LABEL_W + PLOT_W + 60
    axis_y = TOP + rows * ROW_H
    shapes: list[Shape] = []
    for tick in _ticks(maximum):
        x = _x(tick, maximum)
        shapes.append(_line(x, TOP - 4, x, axis_y, class_="grid"))
        label = f"{tick:g}" if maximum > 1 else f"{tick:.2f}"
        shapes.append(_text(x, axis_y + 14, "tick", label))
    return {"title": title, "width": width, "height": height, "shapes": shapes + body}


def bar_chart(title: str, bars: list[tuple[str, float | None, float | None, float | None, str]],
              maximum: float = 1.0) -> dict:
    """Horizontal bars with 95% interval whiskers, one row per system.

    Args:
        title: chart title (the metric name).
        bars: ``(system, value, low, high, colour)``; a None value draws "n/a".
        maximum: the scale's maximum (1 or 100).

    Returns:
        The chart (title, size, shapes).
    """
    body: list[Shape] = []
    for row, (name, value, low, high, color) in enumerate(bars):
        y = TOP + row * ROW_H
        mid = y + ROW_H / 2
        body.append(_text(LABEL_W - 6, mid + 4, "lab", name))
        if value is None:
            body.append(_text(LABEL_W + 4, mid + 4, "val", "n/a"))
            continue
        body.append(_shape("rect", x=LABEL_W, y=y + 5, width=_x(value, maximum) - LABEL_W,
                           height=ROW_H - 10, fill=color, opacity="0.8"))
        if low is not None and high is not None:
            x1, x2 = _x(low, maximum), _x(high, maximum)
            body.append(_line(x1, mid, x2, mid, class_="ci"))
            for x in (x1, x2):
                body.append(_line(x, mid - 5, x, mid + 5, class_="ci"))
        shown = f"{value:.1f}" if maximum > 1 else f"{value:.3f}"
        body.append(_text(LABEL_W + PLOT_W + 6, mid + 4, "val", shown))
    return _frame(title, len(bars), maximum, body)


def strip_plot(title: str, rows: list[tuple[str, list[float], str]], maximum: float = 1.0) -> dict:
    """Per-article values as dots over a box (quartiles, median, min-max whiskers), one row per system.

    Args:
        title: chart title.
        rows: ``(system, per-article values, colour)``; undefined values left out.
        maximum: the scale's maximum.

    Returns:
        The chart (title, size, shapes).
    """
    body: list[Shape] = []
    for row, (name, values, color) in enumerate(rows):
        y = TOP + row * ROW_H
        mid = y + ROW_H / 2
        body.append(_text(LABEL_W - 6, mid + 4, "lab", name))
        if not values:
            body.append(_text(LABEL_W + 4, mid + 4, "val", "n/a"))
            continue
        lo, q1, med, q3, hi = np.percentile(values, [0, 25, 50, 75, 100])
        body.append(_line(_x(lo, maximum), mid, _x(hi, maximum), mid, class_="whisker"))
        body.append(_shape("rect", x=_x(q1, maximum), y=y + 6,
                           width=float(max(_x(q3, maximum) - _x(q1, maximum), 1)),
                           height=ROW_H - 12, fill=color, opacity="0.25", stroke=color))
        body.append(_line(_x(med, maximum), y + 4, _x(med, maximum), y + ROW_H - 4,
                          stroke=color, stroke_width="2"))
        for i, value in enumerate(values):
            jitter = ((i * 7) % 11 - 5) * 0.9  # deterministic, so reruns draw the same picture
            body.append(_shape("circle", cx=_x(value, maximum), cy=mid + jitter, r="2.2",
                               fill=color, opacity="0.7"))
        body.append(_text(LABEL_W + PLOT_W + 6, mid + 4, "val", f"n={len(values)}"))
    return _frame(title, len(rows), maximum, body)
