"""Small-cell suppression: a count of one or two self-harm reports can name a student.

Counts from 1 to threshold-1 are shown as "<threshold" on pages, charts and exports; zero is
shown (it identifies nobody). Rates are suppressed when their numerator or denominator is,
and percentiles when fewer than `threshold` cases were measured. In a breakdown whose total
is shown, a single suppressed cell could be recovered by subtraction, so the next smallest
cell is suppressed too (secondary suppression), shown as "suppressed"; `suppress_lines` does
the same for tables summed both ways (rows and columns) and for runs of trend buckets that
add up to a period's total. A threshold of 0 turns all of this off.

The threshold is settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD, unless the district's
policy row (tipline.DistrictPolicy.summary_suppression_threshold) sets its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext

COUNT, RATE, DURATION, TEXT, DAY = "count", "rate", "duration", "text", "day"


def threshold_for(district) -> int:
    """The district's own threshold when its policy row says so, else the setting.

    Pass a District fetched with select_related("policy") to spare the query.
    """
    try:
        own = district.policy.summary_suppression_threshold
    except ObjectDoesNotExist:
        own = None
    return settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD if own is None else own


def is_small(count: int | None, threshold: int) -> bool:
    return bool(threshold) and count is not None and 0 < count < threshold


@dataclass(frozen=True)
class Cell:
    """One figure as shown: its raw value stays server-side when suppressed."""

    value: int | float | timedelta | str | None
    kind: str = COUNT
    suppressed: bool = False
    threshold: int = 0
    # Hidden only to protect another hidden cell: its value may well be large, so it is not
    # shown as "<N" (which would be false) but as "suppressed".
    secondary: bool = False

    @property
    def display(self) -> str:
        """As a person reads it, in the active language: "1,234" and "12.5%" in English,
        "1.234" and "12,5%" in Spanish, a day as "3 Mar 2025" / "3 Mar 2025" (Spanish month
        names). CSV downloads use `csv` (and run with English active)."""
        if self.suppressed:
            return (
                f"<{self.threshold}" if self.kind == COUNT and not self.secondary else "suppressed"
            )
        if self.value is None:
            return "-"
        if self.kind == COUNT:
            return grouped(self.value)
        if self.kind == RATE:
            return grouped(self.value * 100, 1) + "%"
        if self.kind == DURATION:
            return duration_display(self.value)
        if self.kind == DAY:
            return date_format(self.value, "j M Y")
        return str(self.value)

    @property
    def csv(self) -> str:
        """Machine-readable: counts as integers, rates as percentages, durations in hours."""
        if self.suppressed:
            return self.display
        if self.value is None:
            return ""
        if self.kind == RATE:
            return f"{self.value * 100:.1f}"
        if self.kind == DURATION:
            return f"{self.value.total_seconds() / 3600:.2f}"
        if self.kind == DAY:
            return self.value.isoformat()
        return str(self.value)

    @property
    def number(self) -> float | None:
        """For charts and sorting; None when suppressed or empty."""
        if self.suppressed or self.value is None or self.kind in (TEXT, DAY):
            return None
        if self.kind == DURATION:
            return self.value.total_seconds()
        return float(self.value)

    def sort_key(self) -> tuple:
        # Suppressed cells sort as equals, so their order reveals nothing about the values.
        if self.suppressed:
            return (1, 0.0)
        if self.number is None:
            if self.kind == DAY:
                return (2, self.value.isoformat())
            return (0, 0.0) if self.kind != TEXT else (2, str(self.value).lower())
        return (2, self.number)


def grouped(number: float, decimals: int | None = None) -> str:
    """A number in the active language's digits, thousands grouped ("1,234" / "1.234"),
    rounded (not cut) to `decimals` places, as Python's own formatting does."""
    if decimals is not None:
        number = round(number, decimals)
    return number_format(number, decimals, force_grouping=True)


def duration_display(value: timedelta) -> str:
    minutes = value.total_seconds() / 60
    if minutes < 60:
        return gettext("%(number)s min") % {"number": grouped(minutes, 0)}
    if minutes < 48 * 60:
        return gettext("%(number)s h") % {"number": grouped(minutes / 60, 1)}
    return gettext("%(number)s days") % {"number": grouped(minutes / 1440, 1)}


def count_cell(count: int | None, threshold: int) -> Cell:
    return Cell(count, COUNT, is_small(count, threshold), threshold)


def rate_cell(numerator: int, denominator: int, threshold: int) -> Cell:
    value = numerator / denominator if denominator else None
    hidden = is_small(numerator, threshold) or is_small(denominator, threshold)
    return Cell(value, RATE, hidden, threshold)


def duration_cell(value: timedelta | None, measured: int, threshold: int) -> Cell:
    return Cell(value, DURATION, value is not None and is_small(measured, threshold), threshold)


def text_cell(value: str) -> Cell:
    return Cell(value, TEXT)


def day_cell(value: date) -> Cell:
    """A date as a row label: "3 Mar 2025" on the page, in the reader's language; ISO
    (2025-03-03) in the CSV."""
    return Cell(value, DAY)


def suppress_lines(
    rows: list[list[Cell]], lines: Iterable[Sequence[tuple[int, int]]]
) -> list[list[Cell]]:
    """Secondary suppression for a table whose lines (rows, columns, runs of buckets) add up
    to a figure shown somewhere: the returned rows have no line with exactly one hidden count,
    which subtraction from that figure would give back.

    `lines` are lists of (row, column) positions. Where the sum is a cell of the same table
    (a Total column, an "All open" row), put it in the line too: it is then hidden itself when
    that is what protects the line. Hiding a cell for one line can leave another line with a
    single hidden cell, so lines are rechecked until none changes (each pass hides one more
    cell at least, so it ends).
    """
    rows = [list(row) for row in rows]
    lines = [list(line) for line in lines]
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [rows[r][c] for r, c in line]
            protected = suppress_complements(cells)
            if protected is cells:
                continue
            for (r, c), before, after in zip(line, cells, protected, strict=True):
                if after is not before:
                    rows[r][c] = after
                    changed = True
    return rows


def suppress_complements(cells: list[Cell]) -> list[Cell]:
    """Secondary suppression for a breakdown shown with its total.

    If exactly one count is suppressed, the smallest other non-zero count is suppressed too.
    """
    suppressed = [i for i, cell in enumerate(cells) if cell.kind == COUNT and cell.suppressed]
    if len(suppressed) != 1:
        return cells
    candidates = [
        i
        for i, cell in enumerate(cells)
        if cell.kind == COUNT and not cell.suppressed and cell.value
    ]
    if not candidates:
        return cells
    smallest = min(candidates, key=lambda i: cells[i].value)
    result = list(cells)
    result[smallest] = replace(cells[smallest], suppressed=True, secondary=True)
    return result
