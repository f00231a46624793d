"""Every read of alerts that staff see, scoped through accounts.permissions.

Alerts are visible to whoever may TRIAGE_ALERTS at the alert's school (counselors of that
school, the district's admins). Out-of-scope alerts are indistinguishable from missing ones.
Sources (and their health) are for district admins (MANAGE_SCHOOL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from accounts import permissions
from accounts.models import School
from accounts.permissions import Action
from cases.models import OPEN_STATUSES, Case
from cases.selectors import cases_visible_to

from .models import Alert, AlertStatus, Source

# The feed lists the most severe first.
SEVERITY_ORDER = ("critical", "high", "medium", "low", "none")


def alerts_visible_to(*, user) -> QuerySet[Alert]:
    return Alert.objects.filter(
        school_id__in=permissions.school_ids_for(user, Action.TRIAGE_ALERTS)
    )


def alert_get_for_user(*, user, alert_id: int) -> Alert:
    return get_object_or_404(
        alerts_visible_to(user=user).select_related("post__source", "school", "case"),
        id=alert_id,
    )


# The badge counts no further: a backlog this deep reads the same, and the count (on every
# staff page) stays a bounded read however many alerts go untriaged.
NEW_ALERTS_BADGE_LIMIT = 1000


def alerts_new_count_for(*, user) -> int:
    """The navigation badge: how many alerts in the user's scope are new, up to
    NEW_ALERTS_BADGE_LIMIT (a larger backlog counts as the limit).

    One COUNT over at most the limit's worth of entries of the (school, status, created_at)
    index, read from the index alone.
    """
    school_ids = permissions.school_ids_for(user, Action.TRIAGE_ALERTS)
    if not school_ids:
        return 0
    return (
        Alert.objects.filter(school_id__in=school_ids, status=AlertStatus.NEW)
        .order_by()
        .values("school_id")[:NEW_ALERTS_BADGE_LIMIT]
        .count()
    )


@dataclass(frozen=True)
class FeedFilters:
    school: int | None = None
    category: str = ""
    severity: str = ""
    status: str = ""
    source: int | None = None
    since: date | None = None
    until: date | None = None


def alerts_feed(*, user, filters: FeedFilters) -> QuerySet[Alert]:
    """The feed, most severe first and newest first within a severity, narrowed by the
    filters (never beyond the user's scope)."""
    alerts = alerts_visible_to(user=user).select_related("post__source", "school", "case")
    if filters.school:
        alerts = alerts.filter(school_id=filters.school)
    if filters.category:
        alerts = alerts.filter(top_category=filters.category)
    if filters.severity:
        alerts = alerts.filter(severity=filters.severity)
    if filters.status:
        alerts = alerts.filter(status=filters.status)
    if filters.source:
        alerts = alerts.filter(source_id=filters.source)
    if filters.since:
        alerts = alerts.filter(created_at__date__gte=filters.since)
    if filters.until:
        alerts = alerts.filter(created_at__date__lte=filters.until)
    severity_rank = SqlCase(
        *(When(severity=name, then=Value(rank)) for rank, name in enumerate(SEVERITY_ORDER)),
        default=Value(len(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )
    return alerts.order_by(severity_rank, "-created_at", "-id")


@dataclass(frozen=True)
class PrecisionRow:
    label: str
    reviewed: int
    escalated: int

    @property
    def precision(self) -> float | None:
        return self.escalated / self.reviewed if self.reviewed else None


def _precision(alerts: QuerySet[Alert], field: str) -> list[PrecisionRow]:
    rows = (
        alerts.exclude(status=AlertStatus.NEW)
        .values(field)
        .annotate(
            reviewed=Count("id"),
            escalated=Count("id", filter=Q(status=AlertStatus.ESCALATED)),
        )
        .order_by(field)
    )
    return [PrecisionRow(str(row[field]), row["reviewed"], row["escalated"]) for row in rows]


def alert_precision_by_source(*, user) -> list[PrecisionRow]:
    """Escalated ÷ reviewed, per source, over the alerts the user may see."""
    return _precision(alerts_visible_to(user=user), "source__name")


def alert_precision_by_category(*, user) -> list[PrecisionRow]:
    return _precision(alerts_visible_to(user=user), "top_category")


def schools_for_triage(*, user) -> QuerySet[School]:
    return School.objects.filter(
        id__in=permissions.school_ids_for(user, Action.TRIAGE_ALERTS)
    ).order_by("name")


def sources_for_feed(*, user) -> QuerySet[Source]:
    """Sources serving the user's triage schools (for the feed's source filter)."""
    school_ids = permissions.school_ids_for(user, Action.TRIAGE_ALERTS)
    return Source.objects.filter(schools__id__in=school_ids).distinct().order_by("name")


def sources_managed_by(*, user) -> QuerySet[Source]:
    """Sources of the districts the user administers, with their health."""
    school_ids = permissions.school_ids_for(user, Action.MANAGE_SCHOOL)
    district_ids = School.objects.filter(id__in=school_ids).values("district_id")
    return (
        Source.objects.filter(district_id__in=district_ids)
        .prefetch_related("schools")
        .order_by("name")
    )


def cases_attachable_for(*, user, alert: Alert) -> QuerySet[Case]:
    """Open cases at the alert's school that the user may work."""
    if not permissions.can(user, Action.WORK_CASES, alert.school_id):
        return Case.objects.none()
    return (
        cases_visible_to(user=user)
        .filter(school_id=alert.school_id, status__in=OPEN_STATUSES, merged_into__isnull=True)
        .order_by("-created_at")[:50]
    )


# Dismissals that say the scorer was wrong about the harm itself; "not our school",
# "duplicate" and "handled elsewhere" say nothing about the text, so they teach nothing.
TRIAGE_NEGATIVE_REASONS = ("false_positive",)


def triage_labels_for(*, user) -> QuerySet[Alert]:
    """Reviewed alerts whose post text is still kept, in the user's district(s): the rows
    of a training export. District admins only (MANAGE_SCHOOL); others get none."""
    school_ids = permissions.school_ids_for(user, Action.MANAGE_SCHOOL)
    return (
        Alert.objects.filter(school_id__in=school_ids)
        .filter(
            Q(status=AlertStatus.ESCALATED)
            | Q(status=AlertStatus.DISMISSED, dismissal_reason__in=TRIAGE_NEGATIVE_REASONS)
        )
        .exclude(post__text="")
        .select_related("post", "school")
        .order_by("id")
    )
