"""CSV downloads: every summary table, the de-identified case list, the annual report.

Cells are written as Cell.csv: counts as integers, rates as percentages (no % sign),
durations in hours, suppressed cells as "<N" (counts) or "suppressed". The case list carries
no tip or message text, no reference, no reporter, no staff names and only the month a case
was opened; its durations are coarse bands.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.db.models import F
from django.db.models.functions import TruncMonth

from accounts.models import School
from cases.models import Case, CaseStatus, Category, Channel, Outcome, Priority

from .build import Summary
from .figures import Window
from .periods import Period
from .tables import Table

CASE_LIST_COLUMNS = [
    "month_opened",
    "school",
    "category",
    "channel",
    "priority",
    "status",
    "outcome",
    "acknowledged_on_time",
    "first_response_on_time",
    "time_to_first_response",
    "time_to_resolution",
    "merged_as_duplicate",
]
BANDS = (  # upper bound, label
    (timedelta(hours=1), "under 1 hour"),
    (timedelta(hours=4), "1-4 hours"),
    (timedelta(days=1), "4-24 hours"),
    (timedelta(days=7), "1-7 days"),
    (timedelta(days=30), "8-30 days"),
)


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


def _band(elapsed: timedelta | None) -> str:
    if elapsed is None:
        return ""
    for upper, label in BANDS:
        if elapsed < upper:
            return label
    return "over 30 days"


def _on_time(done, due) -> str:
    if due is None or done is None:
        return ""
    return "yes" if done <= due else "no"


def case_list_rows(*, schools: list[School], period: Period) -> Iterator[list[str]]:
    """One row per case opened in the period, ordered so the order reveals nothing."""
    names = {school.pk: school.name for school in schools}
    labels = {
        "category": dict(Category.choices),
        "channel": dict(Channel.choices),
        "priority": dict(Priority.choices),
        "status": dict(CaseStatus.choices),
        "outcome": dict(Outcome.choices),
    }
    yield CASE_LIST_COLUMNS
    zone = schools[0].tzinfo if schools else None
    rows = (
        Case.objects.filter(Window(schools).q(period))
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .annotate(
            to_response=F("first_response_at") - F("created_at"),
            to_resolution=F("resolved_at") - F("created_at"),
        )
        .order_by("month", "school_id", "category", "channel", "priority", "status", "outcome")
        .values_list(
            "month",
            "school_id",
            "category",
            "channel",
            "priority",
            "status",
            "outcome",
            "acknowledged_at",
            "acknowledge_due_at",
            "first_response_at",
            "first_response_due_at",
            "to_response",
            "to_resolution",
            "merged_into_id",
        )
    )
    for (month, school_id, category, channel, priority, status, outcome, acknowledged,
         acknowledge_due, responded, response_due, to_response, to_resolution,
         merged_into) in rows.iterator(chunk_size=2000):  # fmt: skip
        yield [
            month.strftime("%Y-%m"),
            names[school_id],
            labels["category"].get(category, category),
            labels["channel"].get(channel, channel),
            labels["priority"].get(priority, priority),
            labels["status"].get(status, status),
            labels["outcome"].get(outcome, outcome),
            _on_time(acknowledged, acknowledge_due),
            _on_time(responded, response_due),
            _band(to_response),
            _band(to_resolution),
            "yes" if merged_into else "no",
        ]
