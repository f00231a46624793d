"""Charts readable on a phone: text big enough once scaled to a 390 px screen, axis labels
that neither overlap nor run off the canvas ("May 2026Jun 202"), bar labels inside it."""

import xml.etree.ElementTree as ET
from datetime import date
from itertools import pairwise

from summaries import charts
from summaries.periods import month_period
from summaries.suppression import Cell

SVG = "{http://www.w3.org/2000/svg}"
PHONE_CHART_BOX = 358  # a 390 px screen less the page's padding
READABLE_PX = 11


def _texts(svg: str) -> list[tuple[float, float, str, str]]:
    root = ET.fromstring(str(svg))  # noqa: S314 - our own chart, drawn just above
    return [
        (float(t.get("x")), float(t.get("y")), t.get("text-anchor", "start"), t.text or "")
        for t in root.iter(f"{SVG}text")
    ]


def _extent(x: float, anchor: str, text: str) -> tuple[float, float]:
    width = charts.text_width(text)
    if anchor == "middle":
        return x - width / 2, x + width / 2
    if anchor == "end":
        return x - width, x
    return x, x + width


def _months(count: int) -> list[str]:
    period = month_period(date(2026, 6, 1))
    periods = [period]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return [p.first_day.strftime("%b %Y") for p in reversed(periods)]


def test_it_draws_text_readable_on_a_phone():
    assert charts.FONT_SIZE * PHONE_CHART_BOX / charts.WIDTH >= READABLE_PX


def test_it_never_overlaps_or_clips_the_month_labels():
    for count in (2, 3, 6, 12, 13, 24, 53):
        labels = _months(count)
        series = [("Tips", [Cell(n * 7) for n in range(count)])]
        svg = charts.line_chart(chart_id="c", title="Tips", labels=labels, series=series)
        axis = sorted((t for t in _texts(svg) if t[3] in labels and t[1] > 200), key=lambda t: t[0])
        assert axis[-1][3] == labels[-1], "the latest month is always labelled"
        extents = [_extent(x, anchor, text) for x, _, anchor, text in axis]
        assert extents[0][0] >= 0 and extents[-1][1] <= charts.WIDTH, (count, extents)
        for (_, right), (left, _) in pairwise(extents):
            assert right <= left, (count, extents)


def test_it_keeps_bar_labels_and_values_inside_the_canvas():
    labels = ["Bullying or cyberbullying", "Weapon", "A very long school name indeed, High"]
    series = [("This period", [Cell(120), Cell(3, suppressed=True, threshold=5), Cell(999)])]
    svg = charts.bar_chart(chart_id="b", title="By category", labels=labels, series=series)
    for x, _, anchor, text in _texts(svg):
        if text == "By category":
            continue
        left, right = _extent(x, anchor, text)
        assert left >= 0 and right <= charts.WIDTH, (text, left, right)
    assert "Bullying or cyberbu…" in str(svg)  # the full name is in the table below
