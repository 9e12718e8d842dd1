"""Geometry of the report's charts; the SVG itself is drawn by small templates (reports/_bar_chart.svg,
reports/_line_chart.svg), so that charts are vector in the PDF and need no JavaScript in the preview."""

from __future__ import annotations

PALETTE = ["#1f4e79", "#c0504d", "#4f9d69", "#e0a030"]
BAR_HEIGHT = 16
BAR_GAP = 6
LABEL_WIDTH = 150
CHART_WIDTH = 640
MAX_BARS = 12


def bar_chart(items: list[tuple[str, float]]) -> dict:
    """Horizontal bars, largest first as given; long tails are cut to MAX_BARS."""
    items = items[:MAX_BARS]
    largest = max((value for _label, value in items), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 50
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * (BAR_HEIGHT + BAR_GAP) + 4
        width = round(span * value / largest, 1)
        bars.append(
            {
                "label": label if len(label) <= 14 else label[:13] + "…",
                "value": value,
                "y": y,
                "text_y": y + BAR_HEIGHT - 4,
                "width": max(width, 1),
                "value_x": LABEL_WIDTH + 8 + max(width, 1) + 4,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": len(items) * (BAR_HEIGHT + BAR_GAP) + 8,
        "label_x": LABEL_WIDTH,
        "bar_x": LABEL_WIDTH + 8,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
        "color": PALETTE[0],
    }


def line_chart(
    x_labels: list[str], series: list[tuple[str, list[float | None]]], *, title: str, maximum: float | None = None
) -> dict:
    """Lines over the months; a month without data leaves a gap in its line."""
    width, height = CHART_WIDTH, 190
    left, right, top, bottom = 40, 12, 26, 24
    values = [v for _name, points in series for v in points if v is not None]
    top_value = maximum or max(values, default=0) or 1
    if maximum is None:
        # Four equal steps of 1, 2 or 5 times a power of ten, so that every tick is a round number.
        step = 1
        while step * 4 < top_value:
            step = _next_step(step)
        top_value = step * 4
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(x_labels) - 1, 1)

    def y_of(value: float) -> float:
        return round(top + plot_h - plot_h * value / top_value, 1)

    grid = [{"y": y_of(top_value * i / 4), "label": _tick(top_value * i / 4)} for i in range(5)]
    lines = []
    for index, (name, points) in enumerate(series):
        segments, current, dots = [], [], []
        for i, value in enumerate(points):
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            x, y = round(left + i * step, 1), y_of(value)
            current.append(f"{x},{y}")
            dots.append({"x": x, "y": y})
        if current:
            segments.append(" ".join(current))
        lines.append(
            {
                "name": name,
                "color": PALETTE[index % len(PALETTE)],
                "segments": segments,
                "dots": dots,
                "legend_x": left + 230 + index * 170,
            }
        )
    return {
        "title": title,
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "bottom": top + plot_h,
        "grid": grid,
        "x_ticks": [{"x": round(left + i * step, 1), "label": label} for i, label in enumerate(x_labels)],
        "x_label_y": height - 8,
        "lines": lines,
    }


def _tick(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _next_step(step: float) -> float:
    """1 → 2 → 5 → 10 → 20 → 50 ..."""
    digits = f"{step:g}"
    return step * (2.5 if digits.startswith("2") else 2)
