"""Figures turned into the tables every page, chart and CSV shows (suppression applied).

A Table is a title, column headings and rows of Cells; the first cell of a row is its label.
The same Table renders as an HTML table, feeds its chart, and is one CSV download, so the
page, the picture and the export cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from accounts.models import School
from cases.models import (
    OPEN_STATUSES,
    CaseStatus,
    Category,
    Channel,
    Outcome,
    PartnerKind,
    Priority,
)

from . import charts
from .alert_figures import alert_figures
from .figures import AGE_BUCKETS, CURRENT, DURATIONS, PREVIOUS, Group, Window
from .periods import Period
from .suppression import (
    COUNT,
    DURATION,
    RATE,
    Cell,
    count_cell,
    day_cell,
    duration_cell,
    duration_display,
    grouped,
    rate_cell,
    suppress_complements,
    suppress_lines,
    text_cell,
)

DURATION_LABELS = {
    "acknowledge": "Time to acknowledge",
    "first_response": "Time to first response",
    "resolution": "Time to resolution",
}


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: SafeString | None = None
    note: str = ""
    # District table only: the sort key of each column (None = not sortable).
    sort_keys: list[str | None] = field(default_factory=list)
    footer: list[list[Cell]] = field(default_factory=list)


def change_cell(current: Cell, previous: Cell) -> Cell:
    if current.number is None or previous.number is None:
        return text_cell("-")
    difference = current.number - previous.number
    sign = "+" if difference >= 0 else "-"
    if current.kind == COUNT:
        return text_cell(sign + grouped(abs(difference), 0))
    if current.kind == RATE:
        points = grouped(abs(difference) * 100, 1)
        return text_cell(sign + gettext("%(number)s pts") % {"number": points})
    if current.kind == DURATION:
        return text_cell(sign + duration_display(abs(current.value - previous.value)))
    return text_cell("-")


def breakdown(
    groups: tuple[Group, Group], choices, prefix: str, threshold: int
) -> list[list[Cell]]:
    """Rows of (label, this period, previous period) with secondary suppression per column."""
    columns = []
    for group in groups:
        cells = [count_cell(group[f"{prefix}_{value}"], threshold) for value in choices.values]
        columns.append(suppress_complements(cells))
    return [
        [text_cell(str(label)), *(column[i] for column in columns)]
        for i, label in enumerate(choices.labels)
    ]


def rates(group: Group, threshold: int) -> dict[str, Cell]:
    """The per-group headline figures, keyed for the overview and the district columns."""
    reports = group["reports"]
    figures = {
        "reports": count_cell(reports, threshold),
        "life_safety": count_cell(group[f"priority_{Priority.LIFE_SAFETY}"], threshold),
        "life_safety_share": rate_cell(
            group[f"priority_{Priority.LIFE_SAFETY}"], reports, threshold
        ),
        "false_reports": count_cell(group[f"outcome_{Outcome.FALSE_REPORT}"], threshold),
        "false_report_rate": rate_cell(
            group[f"outcome_{Outcome.FALSE_REPORT}"], reports, threshold
        ),
        "duplicates": count_cell(group["duplicates"], threshold),
        "duplicate_rate": rate_cell(group["duplicates"], reports, threshold),
        "ack_sla": rate_cell(group["ack_met"], group["ack_measured"], threshold),
        "response_sla": rate_cell(group["response_met"], group["response_measured"], threshold),
        "dialogue_rate": rate_cell(group["tipster_answered"], group["staff_wrote"], threshold),
    }
    for key in DURATIONS:
        for name in ("p50", "p90"):
            figures[f"{key}_{name}"] = duration_cell(
                group.percentiles.get(f"{key}_{name}"), group[f"{key}_n"], threshold
            )
    return figures


@dataclass
class AlertTotals:
    alerts: int = 0
    escalated: int = 0
    dismissed: int = 0

    def add(self, row: dict) -> None:
        self.alerts += row["alerts"]
        self.escalated += row["escalated"]
        self.dismissed += row["dismissed"]


def alert_rows(*, schools: list[School], period: Period) -> list[dict]:
    """The schools' alert counts (summaries.alert_figures), one query per time zone."""
    rows = []
    for zone, ids in Window(schools).by_zone().items():
        rows += alert_figures(
            school_ids=ids, current=period.bounds(zone), previous=period.previous().bounds(zone)
        )
    return rows


def alert_figures_by_school(rows: list[dict]) -> dict[tuple[int, int], AlertTotals]:
    totals: dict[tuple[int, int], AlertTotals] = {}
    for row in rows:
        totals.setdefault((row["school_id"], row["which"]), AlertTotals()).add(row)
    return totals


def alert_source_table(rows: list[dict], threshold: int) -> Table:
    by_source: dict[tuple[int, str], dict[int, AlertTotals]] = {}
    for row in rows:
        per_period = by_source.setdefault((row["source_id"], row["source_name"]), {})
        per_period.setdefault(row["which"], AlertTotals()).add(row)
    table_rows = []
    for (_, name), per_period in sorted(by_source.items(), key=lambda item: item[0][1].lower()):
        now, before = (
            per_period.get(CURRENT, AlertTotals()),
            per_period.get(PREVIOUS, AlertTotals()),
        )
        table_rows.append(
            [
                text_cell(name),
                count_cell(now.alerts, threshold),
                count_cell(now.escalated, threshold),
                count_cell(now.dismissed, threshold),
                rate_cell(now.escalated, now.alerts, threshold),
                rate_cell(now.escalated, now.escalated + now.dismissed, threshold),
                count_cell(before.alerts, threshold),
                rate_cell(before.escalated, before.escalated + before.dismissed, threshold),
            ]
        )
    # The sources' alerts, escalations and previous alerts add up to figures the overview
    # shows (its alert count and escalation rate, this period and the previous one).
    lines = [[(r, column) for r in range(len(table_rows))] for column in (1, 2, 3, 6)]
    table_rows = suppress_lines(table_rows, lines)
    return Table(
        "alerts_by_source",
        "Social-post alerts by source",
        [
            "Source",
            "Alerts",
            "Escalated",
            "Dismissed",
            "Escalation rate",
            "Precision",
            "Alerts (previous)",
            "Precision (previous)",
        ],
        table_rows,
        note="Precision: escalated / reviewed (escalated + dismissed) alerts.",
    )


def overview_rows(
    current: dict[str, Cell],
    previous: dict[str, Cell],
    alerts: tuple[AlertTotals, AlertTotals] | None,
    threshold: int,
) -> list[list[Cell]]:
    labels = [
        ("reports", "Tips received (cases opened)"),
        ("life_safety", "Life-safety tips"),
        ("life_safety_share", "Life-safety share"),
        ("ack_sla", "Acknowledged on time (SLA)"),
        ("response_sla", "First response on time (SLA)"),
        ("acknowledge_p50", "Median time to acknowledge"),
        ("first_response_p50", "Median time to first response"),
        ("false_reports", "False reports (meant to harm)"),
        ("false_report_rate", "False-report rate"),
        ("duplicates", "Duplicates"),
        ("duplicate_rate", "Duplicate rate"),
        ("dialogue_rate", "Two-way dialogue rate"),
    ]
    rows = [
        [text_cell(label), current[key], previous[key], change_cell(current[key], previous[key])]
        for key, label in labels
    ]
    if alerts is not None:
        now, before = alerts
        pairs = [
            ("Social-post alerts", count_cell(now.alerts, threshold),
             count_cell(before.alerts, threshold)),
            ("Alert escalation rate", rate_cell(now.escalated, now.alerts, threshold),
             rate_cell(before.escalated, before.alerts, threshold)),
        ]  # fmt: skip
        rows += [[text_cell(label), a, b, change_cell(a, b)] for label, a, b in pairs]
    return rows


def response_time_table(current: Group, previous: Group, threshold: int) -> Table:
    now, before = rates(current, threshold), rates(previous, threshold)
    rows = [
        [
            text_cell(label),
            now[f"{key}_p50"],
            now[f"{key}_p90"],
            count_cell(current[f"{key}_n"], threshold),
            before[f"{key}_p50"],
            before[f"{key}_p90"],
        ]
        for key, label in DURATION_LABELS.items()
    ]
    columns = ["Measure", "Median", "90th percentile", "Cases measured", "Median (previous)",
               "90th percentile (previous)"]  # fmt: skip
    return Table(
        "response_times",
        "Response times",
        columns,
        rows,
        chart=charts.bar_chart(
            chart_id="chart-response-times",
            title="Median time to acknowledge, first response and resolution",
            labels=list(DURATION_LABELS.values()),
            series=[
                ("This period", [r[1] for r in rows]),
                ("Previous period", [r[4] for r in rows]),
            ],
        ),
        note="Hours in the CSV. Medians and 90th percentiles over the cases that have the time.",
    )


def sla_table(current: Group, previous: Group, threshold: int) -> Table:
    rows = []
    for key, label in (("ack", "Acknowledged on time"), ("response", "First response on time")):
        rows.append(
            [
                text_cell(label),
                count_cell(current[f"{key}_met"], threshold),
                count_cell(current[f"{key}_measured"], threshold),
                rate_cell(current[f"{key}_met"], current[f"{key}_measured"], threshold),
                rate_cell(previous[f"{key}_met"], previous[f"{key}_measured"], threshold),
            ]
        )
    return Table(
        "sla",
        "Service levels (SLA met)",
        ["Measure", "On time", "Measured", "Rate", "Rate (previous)"],
        rows,
        note="On time: at or before the due time. Cases still inside their window are not "
        "counted either way.",
    )


def open_cases_table(open_now: dict[str, int], threshold: int) -> Table:
    rows = []
    for status in OPEN_STATUSES:
        cells = [
            count_cell(open_now.get(f"{key}_{status}", 0), threshold) for key, *_ in AGE_BUCKETS
        ]
        rows.append(
            [text_cell(CaseStatus(status).label), *cells,
             count_cell(open_now.get(f"status_{status}", 0), threshold)]
        )  # fmt: skip
    total = [count_cell(open_now.get(key, 0), threshold) for key, *_ in AGE_BUCKETS]
    rows.append([text_cell("All open"), *total, count_cell(open_now.get("open", 0), threshold)])
    # Summed both ways, totals included: each row's ages add up to its Total, each column's
    # statuses to its "All open" cell.
    figures = range(1, len(rows[0]))
    lines = [[(r, c) for c in figures] for r in range(len(rows))]
    lines += [[(r, c) for r in range(len(rows))] for c in figures]
    rows = suppress_lines(rows, lines)
    return Table(
        "open_cases",
        "Open cases now, by status and age",
        ["Status", *(label for _, label, *_ in AGE_BUCKETS), "Total"],
        rows,
        chart=charts.bar_chart(
            chart_id="chart-open-cases",
            title="Open cases by age",
            labels=[label for _, label, *_ in AGE_BUCKETS],
            series=[("Open now", rows[-1][1:-1])],
        ),
        note="A snapshot at the time the page was drawn, not limited to the period.",
    )


def breakdown_table(
    slug: str, title: str, groups: tuple[Group, Group], choices, prefix: str, threshold: int
) -> Table:
    rows = breakdown(groups, choices, prefix, threshold)
    return Table(
        slug,
        title,
        [title.split(" by ")[-1].capitalize(), "This period", "Previous period"],
        rows,
        chart=charts.bar_chart(
            chart_id=f"chart-{slug}",
            title=title,
            labels=[row[0].value for row in rows],
            series=[
                ("This period", [r[1] for r in rows]),
                ("Previous period", [r[2] for r in rows]),
            ],
        ),
    )


def partner_table(groups: tuple[Group, Group], threshold: int) -> Table:
    """Cases shared with partners: referred to law enforcement, then by the partner's kind,
    then with any partner. A case shared with two kinds counts in both rows, so no row sums
    to another exactly; still, the police and sheriff rows are protected against the law
    enforcement row, and the kinds against "any partner", as if they did."""
    # The builders' words are English (the page says them in the reader's language): the
    # kinds' labels are read in English here, whatever language the page is built in.
    with translation.override("en"):
        shared = [(f"shared_{kind}", f"Shared with: {name}") for kind, name in PartnerKind.choices]
    keys = [
        ("referred_law_enforcement", "Referred to law enforcement (police or sheriff)"),
        *shared,
        ("shared_any", "Shared with any partner"),
    ]
    rows = [
        [text_cell(label), *(count_cell(group[key], threshold) for group in groups)]
        for key, label in keys
    ]
    kind_rows = range(1, len(PartnerKind.values) + 1)
    police_rows = [1 + PartnerKind.values.index(k) for k in ("police", "sheriff")]
    lines = []
    for column in (1, 2):
        lines.append([(0, column), *((r, column) for r in police_rows)])
        lines.append([(len(keys) - 1, column), *((r, column) for r in kind_rows)])
    return Table(
        "partners",
        "Cases shared with partners",
        ["Figure", "This period", "Previous period"],
        suppress_lines(rows, lines),
        note="Cases opened in the period and shared with a partner agency (at any time).",
    )


def case_breakdown_tables(groups: tuple[Group, Group], threshold: int) -> list[Table]:
    return [
        breakdown_table("categories", "Tips by category", groups, Category, "category", threshold),
        breakdown_table("channels", "Tips by channel", groups, Channel, "channel", threshold),
        breakdown_table("priorities", "Tips by priority", groups, Priority, "priority", threshold),
        breakdown_table("outcomes", "Cases by outcome", groups, Outcome, "outcome", threshold),
        partner_table(groups, threshold),
    ]


def buckets_within(buckets: list[Period], period: Period) -> list[int] | None:
    """Indexes of the trend buckets that exactly tile `period` (whose total the summary shows
    beside the trend), or None when they do not (a week period under monthly buckets)."""
    inside = [
        index
        for index, bucket in enumerate(buckets)
        if bucket.first_day >= period.first_day and bucket.last_day <= period.last_day
    ]
    return inside if sum(buckets[i].days for i in inside) == period.days else None


def trend_table(
    slug: str,
    title: str,
    periods: list[Period],
    series: dict[str, list[int]],
    threshold: int,
    *,
    shown_totals: Iterable[Period] = (),
    first_is_total: bool = False,
    chart_series: int = 7,
) -> Table:
    """Rows are buckets (weeks or months); one column per series (a school, or the total).

    Secondary suppression covers the sums a reader can form from figures shown elsewhere:
    buckets that tile one of `shown_totals` (the period and the previous one, whose totals
    the summary shows), and, with `first_is_total`, each row's schools against the first
    column (their sum). The chart draws the first `chart_series` columns."""
    names = list(series)
    rows = [
        [day_cell(p.first_day), *(count_cell(series[n][i], threshold) for n in names)]
        for i, p in enumerate(periods)
    ]
    columns = range(1, len(names) + 1)
    lines = []
    for shown in shown_totals:
        inside = buckets_within(periods, shown)
        if inside:
            lines += [[(r, c) for r in inside] for c in columns]
    if first_is_total:
        lines += [[(r, c) for c in columns] for r in range(len(rows))]
    rows = suppress_lines(rows, lines)
    # The chart's axis in the reader's language ("3 Mar" / "Mar 2025"; Spanish month names).
    labels = [date_format(p.first_day, "j M" if p.kind == "week" else "M Y") for p in periods]
    return Table(
        slug,
        title,
        ["Week starting" if periods[0].kind == "week" else "Month starting", *names],
        rows,
        chart=charts.line_chart(
            chart_id=f"chart-{slug}",
            title=title,
            labels=labels,
            series=[(name, [row[c] for row in rows]) for c, name in enumerate(names, 1)][
                :chart_series
            ],
        ),
    )
