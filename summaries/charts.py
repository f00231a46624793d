"""Accessible charts drawn on the server as SVG: no script, no third party, prints as is.

Each chart is an <svg role="img"> labelled by its own <title> and <desc>; the page shows the
same figures in a data table right after it (the table is the accessible source of truth,
the chart a picture of it). Suppressed cells are drawn as no bar / a gap and labelled "<N".
Every text passed in is escaped here.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .suppression import Cell

PALETTE = ("#0b3d6b", "#b35900", "#2f7d32", "#7b1fa2", "#c62828", "#00695c", "#5d4037")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _frame(chart_id: str, title: str, description: str, width: int, height: int, body: str):
    return mark_safe(  # noqa: S308 - every text inside was escaped when the body was built
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="summary-chart" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{body}</svg>'
    )


def bar_chart(
    *, chart_id: str, title: str, labels: list[str], series: list[tuple[str, list[Cell]]]
) -> SafeString:
    """Horizontal bars, one group per label, one bar per series (e.g. this and last period)."""
    label_width, bar_height, gap, width = 250, 14, 10, 640
    plot_width = width - label_width - 70
    numbers = [cell.number or 0 for _, cells in series for cell in cells]
    top = max([*numbers, 1])
    group_height = bar_height * len(series) + gap
    legend_height = 22 if len(series) > 1 else 0
    height = legend_height + group_height * len(labels) + 6
    parts = []
    for index, (name, _) in enumerate(series if len(series) > 1 else []):
        x = label_width + index * 130
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[index]}"/>'
            f'<text x="{x + 16}" y="14" {FONT}>{escape(name)}</text>'
        )
    for row, label in enumerate(labels):
        y0 = legend_height + row * group_height
        short = label if len(label) <= 34 else label[:32].rstrip() + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y0 + group_height / 2 + 2}" text-anchor="end" '
            f"{FONT}>{escape(short)}</text>"
        )
        for index, (_, cells) in enumerate(series):
            cell = cells[row]
            y = y0 + index * bar_height
            length = (cell.number or 0) / top * plot_width
            if length:
                parts.append(
                    f'<rect x="{label_width}" y="{y}" width="{length:.1f}" '
                    f'height="{bar_height - 2}" fill="{PALETTE[index % len(PALETTE)]}"/>'
                )
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 4}" '
                f"{FONT}>{escape(cell.display)}</text>"
            )
    description = "; ".join(
        f"{label}: " + ", ".join(f"{name} {cells[row].display}" for name, cells in series)
        for row, label in enumerate(labels)
    )
    return _frame(chart_id, title, description, width, height, "".join(parts))


def line_chart(
    *, chart_id: str, title: str, labels: list[str], series: list[tuple[str, list[Cell]]]
) -> SafeString:
    """One line per series over the labels (weeks or months); suppressed points are gaps."""
    width, height, left, bottom, top_margin = 640, 240, 44, 40, 28
    plot_w, plot_h = width - left - 16, height - bottom - top_margin
    numbers = [cell.number or 0 for _, cells in series for cell in cells]
    top = max([*numbers, 1])
    step = plot_w / max(len(labels) - 1, 1)
    parts = [
        f'<line x1="{left}" y1="{top_margin + plot_h}" x2="{left + plot_w}" '
        f'y2="{top_margin + plot_h}" stroke="#495057"/>',
        f'<text x="{left - 6}" y="{top_margin + 4}" text-anchor="end" {FONT}>{top:,.0f}</text>',
        f'<text x="{left - 6}" y="{top_margin + plot_h}" text-anchor="end" {FONT}>0</text>',
    ]
    every = max(1, len(labels) // 6)
    for index, label in enumerate(labels):
        if index % every == 0 or index == len(labels) - 1:
            parts.append(
                f'<text x="{left + index * step:.1f}" y="{height - bottom + 18}" '
                f'text-anchor="middle" {FONT}>{escape(label)}</text>'
            )
    for number, (name, cells) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        segments, current = [], []
        for index, cell in enumerate(cells):
            if cell.number is None:
                segments.append(current)
                current = []
                continue
            x = left + index * step
            y = top_margin + plot_h - cell.number / top * plot_h
            current.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
        segments.append(current)
        for points in segments:
            if len(points) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(points)}"/>'
                )
        if len(series) > 1:
            x = left + (number % 4) * 150
            y = 6 + (number // 4) * 14
            parts.append(
                f'<rect x="{x}" y="{y}" width="12" height="10" fill="{colour}"/>'
                f'<text x="{x + 16}" y="{y + 9}" {FONT}>{escape(name)}</text>'
            )
    description = "; ".join(
        f"{name}: "
        + ", ".join(f"{label} {cell.display}" for label, cell in zip(labels, cells, strict=True))
        for name, cells in series
    )
    return _frame(chart_id, title, description, width, height, "".join(parts))
