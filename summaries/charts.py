"""Accessible charts drawn on the server as SVG: no script, no third party, prints as is.

Each chart is an <svg role="img"> labelled by its own <title> and <desc>; the page shows the
same figures in a data table right after it (the table is the accessible source of truth,
the chart a picture of it). Suppressed cells are drawn as no bar / a gap and labelled "<N".
Every text passed in is escaped here.

The words are the reader's: titles, labels and series names arrive as the builders' English
words (summaries/labels.py) and are said here in the active language (`say`), figures come
in the active language's digits (Cell.display, `grouped`), dates as the caller formatted
them (Spanish month names under Spanish). The page draws a summary in its reader's language;
CSV downloads (English) carry no chart.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .labels import say
from .suppression import Cell, grouped

PALETTE = ("#0b3d6b", "#b35900", "#2f7d32", "#7b1fa2", "#c62828", "#00695c", "#5d4037")
# Charts are drawn on a 400-unit-wide canvas and scaled to their box: on a 390 px phone (a box
# of about 358 px) 13-unit text is still 11.6 px, and CSS caps the box at 480 px on a desktop
# (15.6 px). A wider canvas would shrink the words on a phone below reading size.
WIDTH = 400
FONT_SIZE = 13
FONT = f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}"'
# A generous average advance of one character at FONT_SIZE, for laying labels out without a
# browser (digits and capitals are the widest in system fonts).
CHAR_WIDTH = 0.62 * FONT_SIZE
BAR_LABEL_CHARS = 20


def text_width(text: str) -> float:
    """The width a label takes at FONT_SIZE, estimated generously."""
    return len(text) * CHAR_WIDTH


def _short(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def tick_indexes(labels: list[str], plot_width: float) -> list[int]:
    """Which labels of an evenly spaced axis to print so that none overlaps another: every
    k-th from the first, and the last one, dropping a k-th one that would crowd the last."""
    count = len(labels)
    if count <= 1:
        return list(range(count))
    step = plot_width / (count - 1)
    room = max(text_width(label) for label in labels) + CHAR_WIDTH  # a space between
    every = 1
    while every * step < room:
        every += 1
    shown = list(range(0, count, every))
    if shown[-1] != count - 1:
        while shown and (count - 1 - shown[-1]) * step < room:
            shown.pop()
        shown.append(count - 1)
    return shown


def _frame(chart_id: str, title: str, description: str, width: int, height: int, body: str):
    return mark_safe(  # noqa: S308 - every text inside was escaped when the body was built
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="summary-chart" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{body}</svg>'
    )


def _said(title: str, labels: list[str], series: list[tuple[str, list[Cell]]]):
    return (
        str(say(title)),
        [str(say(label)) for label in labels],
        [(str(say(name)), cells) for name, cells in series],
    )


def _shown(cell: Cell) -> str:
    return str(say(cell.display))


def bar_chart(
    *, chart_id: str, title: str, labels: list[str], series: list[tuple[str, list[Cell]]]
) -> SafeString:
    """Horizontal bars, one group per label, one bar per series (e.g. this and last period)."""
    title, labels, series = _said(title, labels, series)
    bar_height, gap, width = 16, 10, WIDTH
    label_width = text_width("x" * BAR_LABEL_CHARS) + 8
    value_width = max(
        [text_width(_shown(cell)) for _, cells in series for cell in cells] + [text_width("<5")]
    )
    plot_width = width - label_width - value_width - 8
    numbers = [cell.number or 0 for _, cells in series for cell in cells]
    top = max([*numbers, 1])
    group_height = bar_height * len(series) + gap
    legend_height = 22 if len(series) > 1 else 0
    height = legend_height + group_height * len(labels) + 6
    parts = []
    for index, (name, _) in enumerate(series if len(series) > 1 else []):
        x = 4 + index * (width // 2)
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[index]}"/>'
            f'<text x="{x + 16}" y="15" {FONT}>{escape(_short(name, 24))}</text>'
        )
    for row, label in enumerate(labels):
        y0 = legend_height + row * group_height
        parts.append(
            f'<text x="{label_width - 6:.1f}" y="{y0 + group_height / 2 + 2}" '
            f'text-anchor="end" {FONT}>{escape(_short(label, BAR_LABEL_CHARS))}</text>'
        )
        for index, (_, cells) in enumerate(series):
            cell = cells[row]
            y = y0 + index * bar_height
            length = (cell.number or 0) / top * plot_width
            if length:
                parts.append(
                    f'<rect x="{label_width:.1f}" y="{y}" width="{length:.1f}" '
                    f'height="{bar_height - 2}" fill="{PALETTE[index % len(PALETTE)]}"/>'
                )
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 4}" '
                f"{FONT}>{escape(_shown(cell))}</text>"
            )
    description = "; ".join(
        f"{label}: " + ", ".join(f"{name} {_shown(cells[row])}" for name, cells in series)
        for row, label in enumerate(labels)
    )
    return _frame(chart_id, title, description, width, height, "".join(parts))


def line_chart(
    *, chart_id: str, title: str, labels: list[str], series: list[tuple[str, list[Cell]]]
) -> SafeString:
    """One line per series over the labels (weeks or months); suppressed points are gaps."""
    title, labels, series = _said(title, labels, series)
    width, height, bottom = WIDTH, 240, 40
    numbers = [cell.number or 0 for _, cells in series for cell in cells]
    # Room on the left for the axis's numbers and for half of the first label (centred on
    # the first point), on the right for half of the last: no label runs off the canvas.
    left = max(
        text_width(grouped(max([*numbers, 1]), 0)) + 10,
        (text_width(labels[0]) / 2 + 4) if labels else 0,
    )
    legend_rows = -(-len(series) // 2) if len(series) > 1 else 0
    top_margin = 14 + legend_rows * 18
    right = text_width(labels[-1]) / 2 + 4 if labels else 16
    plot_w, plot_h = width - left - right, height - bottom - top_margin
    top = max([*numbers, 1])
    step = plot_w / max(len(labels) - 1, 1)
    parts = [
        f'<line x1="{left:.1f}" y1="{top_margin + plot_h}" x2="{left + plot_w:.1f}" '
        f'y2="{top_margin + plot_h}" stroke="#495057"/>',
        f'<text x="{left - 6:.1f}" y="{top_margin + 4}" text-anchor="end" {FONT}>'
        f"{grouped(top, 0)}</text>",
        f'<text x="{left - 6:.1f}" y="{top_margin + plot_h}" text-anchor="end" {FONT}>0</text>',
    ]
    for index in tick_indexes(labels, plot_w):
        parts.append(
            f'<text x="{left + index * step:.1f}" y="{height - bottom + 18}" '
            f'text-anchor="middle" {FONT}>{escape(labels[index])}</text>'
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
            x = 4 + (number % 2) * (width // 2)
            y = 4 + (number // 2) * 18
            parts.append(
                f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
                f'<text x="{x + 16}" y="{y + 11}" {FONT}>{escape(_short(name, 24))}</text>'
            )
    description = "; ".join(
        f"{name}: "
        + ", ".join(f"{label} {_shown(cell)}" for label, cell in zip(labels, cells, strict=True))
        for name, cells in series
    )
    return _frame(chart_id, title, description, width, height, "".join(parts))
