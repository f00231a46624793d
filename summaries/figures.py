"""The summary figures, aggregated in the database: one grouped query per table.

Definitions (they are what the pages and exports call these figures):

* A *report* is a case opened in the period (Case.created_at inside its local days). Cases
  later merged into another still count once each; they are the duplicates. Every other
  case figure (category, channel, priority, outcomes, response times, SLA, dialogue) is about
  that same cohort of cases opened in the period.
* *Life-safety share*: reports at priority "life safety" / reports.
* *False-report rate*: outcome "false report meant to harm" / reports. *Duplicate rate*:
  reports with outcome "duplicate" or merged into another case / reports.
* *Time to acknowledge / first response / resolution*: acknowledged_at, first_response_at,
  resolved_at minus created_at, over the cases that have that time; median and 90th
  percentile by linear interpolation (PostgreSQL's percentile_cont; the same formula on
  SQLite, read with ORDER BY ... LIMIT 2 OFFSET k, one query per figure).
* *SLA met*: among cases with a due time whose outcome is known (done, or due time passed),
  those acknowledged (or first answered) at or before acknowledge_due_at (first_response_due_at).
  A case still inside its window is not counted either way.
* *Two-way dialogue rate*: among cases where staff wrote to the tipster (first_response_at,
  the time of staff's first reply that reached them: an SMS reply that failed does not
  count), the share where the tipster wrote back after it.
* *Staff-entered*: reports of channel "staff" (a tip staff took by phone, in person, by
  email or from a partner hotline and typed in), in the channel breakdown.
* *Shared with partners*: reports shared at least once with a partner agency of that kind
  (the agency's kind when it was shared; whenever the share was made); *referred to law
  enforcement*: shared with the police or a sheriff. A case shared twice with the police
  counts once.
* *Open cases* (a snapshot, now): status new, triaged or in progress and not merged away, by
  status and by age since opened.
"""

from __future__ import annotations

import math
import operator
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.utils import timezone

from accounts.models import School
from cases.models import (
    LAW_ENFORCEMENT_KINDS,
    OPEN_STATUSES,
    Case,
    CaseShare,
    CaseStatus,
    Category,
    Channel,
    Outcome,
    PartnerKind,
    Priority,
)
from tipline.models import Message, MessageDirection

from .periods import Period

CURRENT, PREVIOUS = 1, 0
DURATIONS = {
    "acknowledge": "acknowledged_at",
    "first_response": "first_response_at",
    "resolution": "resolved_at",
}
PERCENTILES = {"p50": 0.5, "p90": 0.9}
AGE_BUCKETS = (  # (key, label, lower bound in days, upper bound in days or None)
    ("age_0_1", "Under 1 day", 0, 1),
    ("age_1_7", "1-7 days", 1, 7),
    ("age_7_30", "8-30 days", 7, 30),
    ("age_30", "Over 30 days", 30, None),
)


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate: percentile_cont(p) WITHIN GROUP (ORDER BY expr)."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, percentile: float, **extra):
        # The fraction is ours (PERCENTILES), never user input, so it is written inline.
        super().__init__(
            expression, percentile=repr(float(percentile)), output_field=DurationField(), **extra
        )


def duration(field_name: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(field_name) - F("created_at"), output_field=DurationField())


def uses_percentile_cont() -> bool:
    return connection.vendor == "postgresql"


@dataclass
class Window:
    """Which rows a period covers for a set of schools, each school on its own local days."""

    schools: list[School]

    def by_zone(self) -> dict[str, list[int]]:
        zones: dict[str, list[int]] = defaultdict(list)
        for school in self.schools:
            zones[school.timezone].append(school.pk)
        return zones

    def q(self, period: Period, field_name: str = "created_at", school_field="school_id") -> Q:
        conditions = []
        for zone, ids in self.by_zone().items():
            start, end = period.bounds(zoneinfo.ZoneInfo(zone))
            conditions.append(
                Q(**{f"{school_field}__in": ids, f"{field_name}__gte": start})
                & Q(**{f"{field_name}__lt": end})
            )
        return reduce(operator.or_, conditions) if conditions else Q(pk__in=[])


@dataclass
class Group:
    """The raw figures of one school (or all, school_id None) for one period."""

    counts: dict[str, int] = field(default_factory=dict)
    percentiles: dict[str, timedelta | None] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)


def _count(condition: Q | None = None) -> Count:
    return Count("id", filter=condition) if condition is not None else Count("id")


def case_aggregates(*, now: datetime) -> dict:
    """Every conditional count over the case cohort, by name."""
    # first_response_at is when staff wrote the first reply that reached the tipster (web at
    # once, SMS once Twilio took it and unless it failed: tipline.sms.outbound), so "the
    # tipster answered" is one indexed lookup per case.
    tipster_answered = Message.objects.filter(
        case=OuterRef("pk"),
        direction=MessageDirection.FROM_REPORTER,
        created_at__gt=OuterRef("first_response_at"),
    )
    aggregates = {"reports": _count()}
    aggregates |= {f"category_{c}": _count(Q(category=c)) for c in Category.values}
    aggregates |= {f"channel_{c}": _count(Q(channel=c)) for c in Channel.values}
    aggregates |= {f"priority_{p}": _count(Q(priority=p)) for p in Priority.values}
    aggregates |= {f"outcome_{o}": _count(Q(outcome=o)) for o in Outcome.values}
    aggregates |= {
        "duplicates": _count(Q(outcome=Outcome.DUPLICATE) | Q(merged_into__isnull=False)),
        "ack_measured": _count(
            Q(acknowledge_due_at__isnull=False)
            & (Q(acknowledged_at__isnull=False) | Q(acknowledge_due_at__lt=now))
        ),
        "ack_met": _count(
            Q(acknowledge_due_at__isnull=False, acknowledged_at__lte=F("acknowledge_due_at"))
        ),
        "response_measured": _count(
            Q(first_response_due_at__isnull=False)
            & (Q(first_response_at__isnull=False) | Q(first_response_due_at__lt=now))
        ),
        "response_met": _count(
            Q(
                first_response_due_at__isnull=False,
                first_response_at__lte=F("first_response_due_at"),
            )
        ),
        "staff_wrote": _count(Q(first_response_at__isnull=False)),
        "tipster_answered": _count(
            Q(first_response_at__isnull=False) & Q(Exists(tipster_answered))
        ),
    }
    for key, field_name in DURATIONS.items():
        aggregates[f"{key}_n"] = Count(field_name)
        if uses_percentile_cont():
            for name, fraction in PERCENTILES.items():
                aggregates[f"{key}_{name}"] = PercentileCont(duration(field_name), fraction)
    return aggregates


def case_figures(
    *, schools: list[School], period: Period, by_school: bool = True, now: datetime | None = None
) -> dict[tuple[int | None, int], Group]:
    """Figures of the case cohort for the period and the one before, in one grouped query
    (plus, on SQLite only, one small query per percentile).

    Keys are (school id, CURRENT or PREVIOUS); school id is None when by_school is False,
    and then only the percentiles and their case counts are computed (see sum_groups).
    """
    now = now or timezone.now()
    window = Window(schools)
    current, previous = window.q(period), window.q(period.previous())
    cohort = (
        Case.objects.filter(current | previous)
        .annotate(
            which=SqlCase(
                When(current, then=Value(CURRENT)),
                default=Value(PREVIOUS),
                output_field=IntegerField(),
            )
        )
        .order_by()
    )
    keys = ["school_id", "which"] if by_school else ["which"]
    groups: dict[tuple[int | None, int], Group] = {}
    aggregates = case_aggregates(now=now)
    if not by_school:
        # The district's totals: its counts are the sums of the schools' rows; only the
        # percentiles need the whole cohort at once.
        aggregates = {
            key: value for key, value in aggregates.items() if key.endswith(("_n", "_p50", "_p90"))
        }
    for row in cohort.values(*keys).annotate(**aggregates):
        school_id = row.pop("school_id", None)
        which = row.pop("which")
        group = Group()
        for key, value in row.items():
            if key.endswith("_p50") or key.endswith("_p90"):
                group.percentiles[key] = value
            else:
                group.counts[key] = value
        groups[(school_id, which)] = group
    if by_school:
        for (school_id, which), counts in share_figures(window=window, period=period).items():
            groups.setdefault((school_id, which), Group()).counts.update(counts)
    if not uses_percentile_cont():
        for (school_id, which), group in groups.items():
            rows = cohort.filter(which=which)
            if school_id is not None:
                rows = rows.filter(school_id=school_id)
            for key, field_name in DURATIONS.items():
                for name, fraction in PERCENTILES.items():
                    group.percentiles[f"{key}_{name}"] = percentile_by_offset(
                        rows, field_name, fraction, group[f"{key}_n"]
                    )
    return groups


def share_figures(*, window: Window, period: Period) -> dict[tuple[int, int], dict[str, int]]:
    """The cohort's cases shared with partners, per school and period, in one grouped query
    over the shares (so its cost follows the number of shares, not of cases): each case
    counted once per figure, however often it was shared."""
    current = window.q(period, "case__created_at", "case__school_id")
    previous = window.q(period.previous(), "case__created_at", "case__school_id")
    cases = "case_id"
    rows = (
        CaseShare.objects.filter(current | previous)
        .annotate(
            which=SqlCase(
                When(current, then=Value(CURRENT)),
                default=Value(PREVIOUS),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values("case__school_id", "which")
        .annotate(
            shared_any=Count(cases, distinct=True),
            referred_law_enforcement=Count(
                cases, distinct=True, filter=Q(partner_kind__in=LAW_ENFORCEMENT_KINDS)
            ),
            **{
                f"shared_{kind}": Count(cases, distinct=True, filter=Q(partner_kind=kind))
                for kind in PartnerKind.values
            },
        )
    )
    figures = {}
    for row in rows:
        key = (row.pop("case__school_id"), row.pop("which"))
        figures[key] = row
    return figures


def sum_groups(
    groups: dict[tuple[int | None, int], Group], totals: dict[tuple[int | None, int], Group]
) -> dict[int, Group]:
    """The district's groups: the schools' counts added up, the percentiles from `totals`."""
    summed: dict[int, Group] = {}
    for (_, which), group in groups.items():
        target = summed.setdefault(which, Group())
        for key, value in group.counts.items():
            target.counts[key] = target.counts.get(key, 0) + value
    for which in (CURRENT, PREVIOUS):
        target = summed.setdefault(which, Group())
        total = totals.get((None, which), Group())
        target.percentiles = dict(total.percentiles)
    return summed


def percentile_by_offset(rows, field_name: str, fraction: float, n: int) -> timedelta | None:
    """percentile_cont without the aggregate: read the two neighbouring values in order.

    position = fraction * (n - 1); the result interpolates the values at floor and ceil.
    """
    if n == 0:
        return None
    position = fraction * (n - 1)
    lower = math.floor(position)
    values = list(
        rows.filter(**{f"{field_name}__isnull": False})
        .annotate(elapsed=duration(field_name))
        .order_by("elapsed")
        .values_list("elapsed", flat=True)[lower : lower + 2]
    )
    if len(values) == 1 or position == lower:
        return values[0]
    return values[0] + (values[1] - values[0]) * (position - lower)


def open_case_figures(
    *, schools: list[School], now: datetime | None = None
) -> dict[int, dict[str, int]]:
    """Open cases now, per school: by status, by age since opened, and by both."""
    now = now or timezone.now()
    aggregates = {"open": _count()}
    for status in OPEN_STATUSES:
        aggregates[f"status_{status}"] = _count(Q(status=status))
    for key, _label, low, high in AGE_BUCKETS:
        age = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            age &= Q(created_at__gt=now - timedelta(days=high))
        aggregates[key] = _count(age)
        for status in OPEN_STATUSES:
            aggregates[f"{key}_{status}"] = _count(age & Q(status=status))
    rows = (
        Case.objects.filter(
            school_id__in=[s.pk for s in schools],
            status__in=OPEN_STATUSES,
            merged_into__isnull=True,
        )
        .order_by()
        .values("school_id")
        .annotate(**aggregates)
    )
    return {row.pop("school_id"): row for row in rows}


def _bucket_index(periods: list[Period], zone: str) -> SqlCase:
    """Which of `periods` (on the zone's local days) a case opened in: its index, or NULL."""
    whens = []
    for index, period in enumerate(periods):
        start, end = period.bounds(zone)
        whens.append(When(created_at__gte=start, created_at__lt=end, then=Value(index)))
    return SqlCase(*whens, default=None, output_field=IntegerField())


def trend_figures(
    *, schools: list[School], buckets: dict[str, list[Period]]
) -> dict[int, dict[str, list[int]]]:
    """Reports per school in each bucket (weeks, months): {school: {kind: [n, ...]}}.

    One grouped query per time zone (normally one): the database places each report in its
    bucket of every kind, by the bucket's local-midnight bounds (so every bucket is exactly
    its local days), and counts per school and combination of buckets: a few hundred rows,
    however many reports.
    """
    kinds = list(buckets)
    earliest = min(periods[0].first_day for periods in buckets.values())
    latest = max(periods[-1].last_day for periods in buckets.values())
    span = Period("days", earliest, latest)
    result = {school.pk: {kind: [0] * len(buckets[kind]) for kind in kinds} for school in schools}
    for zone, ids in Window(schools).by_zone().items():
        start, end = span.bounds(zone)
        indexes = {
            f"bucket_{n}": _bucket_index(buckets[kind], zone) for n, kind in enumerate(kinds)
        }
        # COUNT(*), not COUNT(id): every column the query reads is then in
        # case_school_created_idx, and PostgreSQL counts from the index alone.
        rows = (
            Case.objects.filter(school_id__in=ids, created_at__gte=start, created_at__lt=end)
            .annotate(**indexes)
            .order_by()
            .values_list("school_id", *indexes)
            .annotate(reports=Count("*"))
        )
        for school_id, *positions, reports in rows:
            for kind, position in zip(kinds, positions, strict=True):
                if position is not None:
                    result[school_id][kind][position] += reports
    return result


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


__all__ = [
    "AGE_BUCKETS",
    "CURRENT",
    "PREVIOUS",
    "CaseStatus",
    "Group",
    "PercentileCont",
    "Window",
    "case_figures",
    "open_case_figures",
    "percentile_by_offset",
    "ratio",
    "trend_figures",
]
