"""CSV downloads: every summary table, the de-identified case list, the annual report.

Cells are written as Cell.csv: counts as integers, rates as percentages (no % sign),
durations in hours, suppressed cells as "<N" (counts) or "suppressed". The de-identified case
list is counts too, with the same suppression as the pages: it carries no tip or message
text, no reference, no reporter, no staff names, only the month a case was opened, and no
row for fewer than N cases (see case_list_rows). Nobody, district admins included, can
download one row per case: a district admin who needs a case reads it in the workspace, where
every read is audited.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from accounts.models import School

from ..models import Case, CaseStatus, Category, Channel, Outcome, Priority
from .build import Summary
from .figures import Window
from .periods import Period
from .suppression import count_cell, is_small
from .tables import Table

CASE_LIST_COLUMNS = [
    "month_opened",
    "school",
    "category",
    "channel",
    "priority",
    "status",
    "outcome",
    "cases",
    "acknowledged_on_time",
    "first_response_on_time",
    "merged_as_duplicate",
]
COMBINATION_FIELDS = ("category", "channel", "priority", "status", "outcome")
RARE = "rare combinations"


class Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def table_rows(table: Table) -> Iterator[list[str]]:
    yield table.columns
    for row in [*table.rows, *table.footer]:
        yield [cell.csv for cell in row]


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(Echo())
    for row in rows:
        yield writer.writerow(row)


def summary_rows(summary: Summary) -> Iterator[list[str]]:
    """Every table of a summary in one CSV: a `table` column, then the table's own columns."""
    yield ["table", "row", "column", "value"]
    for table in summary.tables:
        for row in [*table.rows, *table.footer]:
            for heading, cell in zip(table.columns[1:], row[1:], strict=True):
                yield [table.slug, row[0].csv, heading, cell.csv]


def annual_report_rows(summary: Summary) -> Iterator[list[str]]:
    """The annual report for its year in long form: section, label, measure, value.

    Sections: totals, by_type, by_intake_method (measure "tips"), by_school (one row per
    school and measure: tips, life-safety tips, false reports, false-report rate).
    """
    yield ["section", "label", "measure", "value"]
    for table in summary.tables:
        for row in [*table.rows, *table.footer]:
            if table.slug == "by_school":
                for heading, cell in zip(table.columns[1:], row[1:], strict=True):
                    yield [table.slug, row[0].csv, heading.lower(), cell.csv]
            else:
                measure = "rate (%)" if row[1].kind == "rate" else "tips"
                yield [table.slug, row[0].csv, measure, row[1].csv]


@dataclass
class _Counts:
    cases: int = 0
    acknowledged_on_time: int = 0
    first_response_on_time: int = 0
    merged: int = 0

    def add(self, other: _Counts) -> None:
        self.cases += other.cases
        self.acknowledged_on_time += other.acknowledged_on_time
        self.first_response_on_time += other.first_response_on_time
        self.merged += other.merged

    def cells(self, threshold: int) -> list[str]:
        return [
            count_cell(value, threshold).csv
            for value in (
                self.cases,
                self.acknowledged_on_time,
                self.first_response_on_time,
                self.merged,
            )
        ]


def case_list_rows(*, schools: list[School], period: Period, threshold: int) -> Iterator[list[str]]:
    """The de-identified case list: cases opened in the period counted per month, school and
    combination of category, channel, priority, status and outcome; never one row per case.

    A combination fewer than `threshold` cases share is not listed: those cases are counted
    together in one "rare combinations" row per month and school, so no row describes a case
    the summaries show only as "<N". Counts below the threshold show as "<N", as everywhere.
    One grouped query; the order (month, school, labels) reveals nothing.
    """
    names = {school.pk: school.name for school in schools}
    labels = {
        "category": dict(Category.choices),
        "channel": dict(Channel.choices),
        "priority": dict(Priority.choices),
        "status": dict(CaseStatus.choices),
        "outcome": dict(Outcome.choices),
    }
    zone = schools[0].tzinfo if schools else None
    grouped = (
        Case.objects.filter(Window(schools).q(period))
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .order_by()
        .values("month", "school_id", *COMBINATION_FIELDS)
        .annotate(
            cases=Count("id"),
            acknowledged_on_time=Count(
                "id", filter=Q(acknowledged_at__lte=F("acknowledge_due_at"))
            ),
            first_response_on_time=Count(
                "id", filter=Q(first_response_at__lte=F("first_response_due_at"))
            ),
            merged=Count("id", filter=Q(merged_into__isnull=False)),
        )
    )
    listed: list[tuple[tuple, _Counts]] = []
    rare: dict[tuple, _Counts] = {}
    for row in grouped:
        place = (row["month"].strftime("%Y-%m"), names[row["school_id"]])
        counts = _Counts(
            row["cases"], row["acknowledged_on_time"], row["first_response_on_time"], row["merged"]
        )
        if is_small(counts.cases, threshold):
            rare.setdefault(place, _Counts()).add(counts)
            continue
        described = tuple(
            str(labels[name].get(row[name], row[name]) or "") for name in COMBINATION_FIELDS
        )
        listed.append((place + described, counts))
    listed += [(place + (RARE,) * len(COMBINATION_FIELDS), c) for place, c in rare.items()]
    listed.sort(key=lambda item: (item[0][:2], item[0][2] == RARE, item[0][2:]))
    yield CASE_LIST_COLUMNS
    for described, counts in listed:
        yield [*described, *counts.cells(threshold)]
