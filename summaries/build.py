"""The three summaries: one school, the district side by side, and the annual report.

Each builder runs a fixed number of grouped queries whatever the number of cases: the case
cohort (this and the previous period together), the open-case snapshot, the weekly and
monthly trends, and the alert rows. Nothing here reads a tip, message or note body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from accounts.models import District, School
from cases.models import Category, Channel, Outcome

from . import charts
from .figures import (
    CURRENT,
    PREVIOUS,
    Group,
    case_figures,
    open_case_figures,
    sum_groups,
    trend_figures,
)
from .labels import say
from .periods import Period, trend_buckets
from .suppression import (
    Cell,
    count_cell,
    rate_cell,
    suppress_complements,
    suppress_lines,
    text_cell,
    threshold_for,
)
from .tables import (
    AlertTotals,
    Table,
    alert_figures_by_school,
    alert_rows,
    alert_source_table,
    case_breakdown_tables,
    change_cell,
    open_cases_table,
    overview_rows,
    rates,
    response_time_table,
    sla_table,
    trend_table,
)

TREND_LENGTH = 12


@dataclass
class Summary:
    period: Period
    threshold: int
    tables: list[Table]
    headline: dict[str, Cell] = field(default_factory=dict)

    def table(self, slug: str) -> Table:
        return next(table for table in self.tables if table.slug == slug)


def _trend_end(period: Period, today: date) -> date:
    return min(period.last_day, today)


def school_summary(*, school: School, period: Period, now: datetime | None = None) -> Summary:
    now = now or timezone.now()
    threshold = threshold_for(school.district)
    groups = case_figures(schools=[school], period=period, now=now)
    current = groups.get((school.pk, CURRENT), Group())
    previous = groups.get((school.pk, PREVIOUS), Group())
    now_figures, before_figures = rates(current, threshold), rates(previous, threshold)
    alerts = alert_rows(schools=[school], period=period)
    totals = alert_figures_by_school(alerts)
    alert_pair = tuple(totals.get((school.pk, w)) or AlertTotals() for w in (CURRENT, PREVIOUS))
    open_now = open_case_figures(schools=[school], now=now).get(school.pk, {})
    end = _trend_end(period, now.astimezone(school.tzinfo).date())
    buckets = {
        "week": trend_buckets("week", end, TREND_LENGTH),
        "month": trend_buckets("month", end, TREND_LENGTH),
    }
    trends = trend_figures(schools=[school], buckets=buckets)[school.pk]
    overview = Table(
        "overview",
        "At a glance",
        ["Figure", "This period", "Previous period", "Change"],
        overview_rows(now_figures, before_figures, alert_pair, threshold),
    )
    tables = [
        overview,
        *case_breakdown_tables((current, previous), threshold),
        response_time_table(current, previous, threshold),
        sla_table(current, previous, threshold),
        open_cases_table(open_now, threshold),
        alert_source_table(alerts, threshold),
    ]
    # The overview shows this period's and the previous period's totals: buckets that tile
    # either must not give back a hidden bucket by subtraction.
    shown = (period, period.previous())
    tables += [
        trend_table("weekly", "Tips per week", buckets["week"], {"Tips": trends["week"]},
                    threshold, shown_totals=shown),
        trend_table("monthly", "Tips per month", buckets["month"], {"Tips": trends["month"]},
                    threshold, shown_totals=shown),
    ]  # fmt: skip
    headline = {
        "reports": now_figures["reports"],
        "life_safety_share": now_figures["life_safety_share"],
        "acknowledge_p50": now_figures["acknowledge_p50"],
        "ack_sla": now_figures["ack_sla"],
        "open": count_cell(open_now.get("open", 0), threshold),
    }
    return Summary(period, threshold, tables, headline)


# The district table's columns: (sort key, heading, figure key in rates() or a special).
DISTRICT_COLUMNS = (
    ("reports", "Tips", "reports"),
    ("reports_previous", "Tips (previous)", None),
    ("change", "Change", None),
    ("life_safety_share", "Life-safety share", "life_safety_share"),
    ("acknowledge_p50", "Median to acknowledge", "acknowledge_p50"),
    ("acknowledge_p90", "90th pct. to acknowledge", "acknowledge_p90"),
    ("first_response_p50", "Median to first response", "first_response_p50"),
    ("resolution_p50", "Median to resolution", "resolution_p50"),
    ("ack_sla", "Acknowledged on time", "ack_sla"),
    ("response_sla", "First response on time", "response_sla"),
    ("false_report_rate", "False-report rate", "false_report_rate"),
    ("duplicate_rate", "Duplicate rate", "duplicate_rate"),
    ("dialogue_rate", "Two-way dialogue rate", "dialogue_rate"),
    ("alerts", "Alerts", None),
    ("alert_escalation_rate", "Alert escalation rate", None),
    ("open", "Open now", None),
)
SORT_KEYS = {"school"} | {key for key, *_ in DISTRICT_COLUMNS}


def _district_row(label, group, previous_group, alerts, open_now, threshold) -> list[Cell]:
    figures, before = rates(group, threshold), rates(previous_group, threshold)
    cells = [text_cell(label)]
    for key, _, figure in DISTRICT_COLUMNS:
        if figure is not None:
            cells.append(figures[figure])
        elif key == "reports_previous":
            cells.append(before["reports"])
        elif key == "change":
            cells.append(change_cell(figures["reports"], before["reports"]))
        elif key == "alerts":
            cells.append(count_cell(alerts.alerts, threshold) if alerts else text_cell("-"))
        elif key == "alert_escalation_rate":
            cells.append(
                rate_cell(alerts.escalated, alerts.alerts, threshold) if alerts else text_cell("-")
            )
        elif key == "open":
            cells.append(count_cell(open_now.get("open", 0), threshold))
    return cells


def district_summary(
    *,
    district: District,
    period: Period,
    sort: str = "school",
    descending: bool = False,
    now: datetime | None = None,
) -> Summary:
    now = now or timezone.now()
    threshold = threshold_for(district)
    schools = list(School.objects.filter(district=district, is_active=True).order_by("name"))
    groups = case_figures(schools=schools, period=period, now=now)
    totals = sum_groups(
        groups, case_figures(schools=schools, period=period, by_school=False, now=now)
    )
    alerts = alert_rows(schools=schools, period=period)
    alert_totals = alert_figures_by_school(alerts)
    open_now = open_case_figures(schools=schools, now=now)
    rows = []
    for school in schools:
        school_alerts = alert_totals.get((school.pk, CURRENT)) or AlertTotals()
        rows.append(
            _district_row(
                school.name,
                groups.get((school.pk, CURRENT), Group()),
                groups.get((school.pk, PREVIOUS), Group()),
                school_alerts,
                open_now.get(school.pk, {}),
                threshold,
            )
        )
    _protect_columns(rows)
    if sort not in SORT_KEYS:
        sort = "school"
    index = 0 if sort == "school" else 1 + [k for k, *_ in DISTRICT_COLUMNS].index(sort)
    rows.sort(key=lambda row: row[0].sort_key())  # ties (suppressed cells) stay in name order
    rows.sort(key=lambda row: row[index].sort_key(), reverse=descending)
    district_alerts = AlertTotals()
    for (_, which), figures in alert_totals.items():
        if which == CURRENT:
            district_alerts.alerts += figures.alerts
            district_alerts.escalated += figures.escalated
            district_alerts.dismissed += figures.dismissed
    open_total: dict[str, int] = {}
    for figures in open_now.values():
        for key, value in figures.items():
            open_total[key] = open_total.get(key, 0) + value
    footer = _district_row(
        "All schools",
        totals[CURRENT],
        totals[PREVIOUS],
        district_alerts,
        open_total,
        threshold,
    )
    schools_table = Table(
        "schools",
        "Schools side by side",
        ["School", *(heading for _, heading, _ in DISTRICT_COLUMNS)],
        rows,
        sort_keys=["school", *(key for key, *_ in DISTRICT_COLUMNS)],
        footer=[footer],
    )
    current_total, previous_total = totals[CURRENT], totals[PREVIOUS]
    end = _trend_end(period, now.astimezone(schools[0].tzinfo if schools else None).date())
    buckets = {
        "week": trend_buckets("week", end, TREND_LENGTH),
        "month": trend_buckets("month", end, TREND_LENGTH),
    }
    trends = trend_figures(schools=schools, buckets=buckets)
    tables = [
        schools_table,
        _by_school_table("categories_by_school", "Tips by category and school", schools, groups,
                         Category, "category", threshold),
        _by_school_table("channels_by_school", "Tips by channel and school", schools, groups,
                         Channel, "channel", threshold),
        *case_breakdown_tables((current_total, previous_total), threshold),
        response_time_table(current_total, previous_total, threshold),
        sla_table(current_total, previous_total, threshold),
        open_cases_table(open_total, threshold),
        alert_source_table(alerts, threshold),
    ]  # fmt: skip
    for kind, title in (("week", "Tips per week"), ("month", "Tips per month")):
        total = [0] * len(buckets[kind])
        for figures in trends.values():
            total = [a + b for a, b in zip(total, figures[kind], strict=True)]
        series = {"All schools": total}
        series |= {school.name: trends[school.pk][kind] for school in schools}
        # The chart draws the district total only: a dozen school lines would be unreadable,
        # and every school's figures are in the table beside it.
        tables.append(
            trend_table(f"{kind}ly", title, buckets[kind], series, threshold,
                        shown_totals=(period, period.previous()), first_is_total=True,
                        chart_series=1)
        )  # fmt: skip
    headline = {
        "reports": footer[1],
        "life_safety_share": footer[4],
        "acknowledge_p50": footer[5],
        "ack_sla": footer[9],
        "open": footer[-1],
    }
    return Summary(period, threshold, tables, headline)


def _protect_columns(rows: list[list[Cell]]) -> None:
    """Secondary suppression down each count column, whose district total is shown: a single
    hidden school would otherwise be the total minus the others. The change column is then
    drawn again from what stays visible."""
    keys = [key for key, *_ in DISTRICT_COLUMNS]
    for index in range(1, len(keys) + 1):
        column = [row[index] for row in rows]
        if column and all(cell.kind == "count" for cell in column):
            for row, cell in zip(rows, suppress_complements(column), strict=True):
                row[index] = cell
    now, before, change = (1 + keys.index(k) for k in ("reports", "reports_previous", "change"))
    for row in rows:
        row[change] = change_cell(row[now], row[before])


def _by_school_table(slug, title, schools, groups, choices, prefix, threshold) -> Table:
    """Each school's column adds up to its tips (the schools table); each row adds up to the
    district's figure for that category or channel (the district breakdown): both ways are
    protected against subtraction."""
    rows = [
        [
            text_cell(str(label)),
            *(
                count_cell(groups.get((school.pk, CURRENT), Group())[f"{prefix}_{value}"],
                           threshold)
                for school in schools
            ),
        ]
        for value, label in zip(choices.values, choices.labels, strict=True)
    ]  # fmt: skip
    columns = range(1, len(schools) + 1)
    lines = [[(r, c) for r in range(len(rows))] for c in columns]
    lines += [[(r, c) for c in columns] for r in range(len(rows))]
    rows = suppress_lines(rows, lines)
    return Table(slug, title, [prefix.capitalize(), *(s.name for s in schools)], rows)


def annual_report(*, district: District, period: Period, now: datetime | None = None) -> Summary:
    """The figures state programs publish: totals, by type, by intake method, by school,
    false reports (Colorado Safe2Tell, Pennsylvania Act 44 annual reports)."""
    now = now or timezone.now()
    threshold = threshold_for(district)
    schools = list(School.objects.filter(district=district).order_by("name"))
    groups = case_figures(schools=schools, period=period, now=now)
    totals = sum_groups(
        groups, case_figures(schools=schools, period=period, by_school=False, now=now)
    )
    current, previous = totals[CURRENT], totals[PREVIOUS]
    figures, before = rates(current, threshold), rates(previous, threshold)
    keys = (
        ("reports", "Tips received"),
        ("life_safety", "Life-safety tips"),
        ("false_reports", "False reports (meant to harm)"),
        ("false_report_rate", "False-report rate"),
        ("duplicates", "Duplicates"),
    )
    totals_table = Table(
        "totals",
        "Totals",
        ["Figure", period.label, period.previous().label],
        [[text_cell(label), figures[key], before[key]] for key, label in keys],
    )
    by_type, by_method, *_ = case_breakdown_tables((current, previous), threshold)
    by_type.slug, by_type.title = "by_type", "Tips by type"
    by_method.slug, by_method.title = "by_intake_method", "Tips by intake method"
    for table in (by_type, by_method):
        table.columns = [table.columns[0], period.label, period.previous().label]
        table.chart = None
    school_rows = []
    for school in schools:
        group = groups.get((school.pk, CURRENT), Group())
        school_rows.append(
            [
                text_cell(school.name),
                count_cell(group["reports"], threshold),
                count_cell(group["priority_1"], threshold),
                count_cell(group[f"outcome_{Outcome.FALSE_REPORT}"], threshold),
                rate_cell(group[f"outcome_{Outcome.FALSE_REPORT}"], group["reports"], threshold),
            ]
        )
    for index in (1, 2, 3):  # counts whose "All schools" total is shown below them
        column = suppress_complements([row[index] for row in school_rows])
        for row, cell in zip(school_rows, column, strict=True):
            row[index] = cell
    by_school = Table(
        "by_school",
        "Tips by school",
        ["School", "Tips", "Life-safety tips", "False reports", "False-report rate"],
        school_rows,
        footer=[[text_cell("All schools"), figures["reports"], figures["life_safety"],
                 figures["false_reports"], figures["false_report_rate"]]],
    )  # fmt: skip
    by_school.chart = charts.bar_chart(
        chart_id="chart-annual-by-school",
        title=f"{say('Tips by school')}, {period.label}",
        labels=[row[0].value for row in school_rows],
        series=[("Tips", [row[1] for row in school_rows])],
    )
    return Summary(period, threshold, [totals_table, by_type, by_method, by_school])
