"""Every read of alerts that staff see, scoped through accounts.permissions.

Alerts are visible to whoever may TRIAGE_ALERTS at the alert's school (counselors of that
school, the district's admins). Out-of-scope alerts are indistinguishable from missing ones.
Sources (and their health) are for district admins (MANAGE_SCHOOL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
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
    alerts = _feed_filtered(
        alerts_visible_to(user=user).select_related("post__source", "school", "case"), filters
    )
    severity_rank = SqlCase(
        *(When(severity=name, then=Value(rank)) for rank, name in enumerate(SEVERITY_ORDER)),
        default=Value(len(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )
    return alerts.order_by(severity_rank, "-created_at", "-id")


def _feed_filtered(alerts: QuerySet[Alert], filters: FeedFilters) -> QuerySet[Alert]:
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
    return alerts


@dataclass(frozen=True, slots=True)
class FeedCard:
    """What one card of the feed shows, as plain values: no model instance is built for it."""

    id: int
    created_at: datetime
    severity: str
    top_category: str
    score: float
    matches: list
    school_matches: list
    status: str
    group_size: int
    dismissal_reason: str
    text: str
    url: str
    author_handle: str
    source_name: str
    school_name: str
    case_id: int | None
    case_reference: str
    reviewed_by: str | None  # as the user reads (str(User)): full name, else email
    second_tier: str = ""  # SecondTier: "" when the second reading is off
    second_tier_score: float | None = None

    @property
    def is_new(self) -> bool:
        return self.status == AlertStatus.NEW

    @classmethod
    def from_alert(cls, alert: Alert) -> FeedCard:
        """The card of an alert already loaded (with its post, source, school and case)."""
        return cls(
            id=alert.id,
            created_at=alert.created_at,
            severity=alert.severity,
            top_category=alert.top_category,
            score=alert.score,
            matches=alert.matches,
            school_matches=alert.school_matches,
            status=alert.status,
            group_size=alert.group_size,
            dismissal_reason=alert.dismissal_reason,
            text=alert.post.text,
            url=alert.post.url,
            author_handle=alert.post.author_handle,
            source_name=alert.post.source.name,
            school_name=alert.school.name,
            case_id=alert.case_id,
            case_reference=alert.case.reference if alert.case_id else "",
            reviewed_by=str(alert.reviewed_by) if alert.reviewed_by_id else None,
            second_tier=alert.second_tier,
            second_tier_score=alert.second_tier_score,
        )


_CARD_COLUMNS = (
    "id",
    "created_at",
    "severity",
    "top_category",
    "score",
    "matches",
    "school_matches",
    "status",
    "group_size",
    "dismissal_reason",
    "post__text",
    "post__url",
    "post__author_handle",
    # The alert's source is its post's (copied when raised): no join through the post.
    "source__name",
    "school__name",
    "case_id",
    "case__reference",
    "second_tier",
    "second_tier_score",
    "reviewed_by_id",
    "reviewed_by__full_name",
    "reviewed_by__email",
)


# alerts_feed's order as one SQL expression over the alerts table alone (a CASE of five When
# objects costs more to compile than the page's rows cost to read).
_SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITY_ORDER)}
_SEVERITY_RANK_SQL = RawSQL(  # noqa: S611 - our own constants, no input
    "CASE severity "
    + " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in _SEVERITY_RANK.items())
    + f" ELSE {len(SEVERITY_ORDER)} END",
    (),
    output_field=IntegerField(),
)


def alerts_feed_page(*, user, filters: FeedFilters, offset: int, size: int) -> tuple[list, int]:
    """One page of the feed (`alerts_feed`'s order and scope) as FeedCards, and how many
    alerts the whole feed holds, in two short queries whose plans do not depend on the
    planner's statistics: the page's ids with the total (a window count) chosen on the alerts
    table alone, then those rows by primary key joined to their post, source, school, case
    and reviewer, read as plain values and put back in the page's order. Past the last page:
    no cards and a total of 0 (count it then)."""
    chosen = list(
        _feed_filtered(alerts_visible_to(user=user), filters)
        .order_by(_SEVERITY_RANK_SQL.asc(), "-created_at", "-id")
        .annotate(feed_total=Window(Count("id")))
        .values_list("id", "feed_total")[offset : offset + size]
    )
    if not chosen:
        return [], 0
    position = {alert_id: index for index, (alert_id, _total) in enumerate(chosen)}
    rows = Alert.objects.filter(id__in=position).order_by().values_list(*_CARD_COLUMNS)
    cards = []
    for row in rows:
        *values, reviewer_id, full_name, email = row
        cards.append(
            FeedCard(
                *values[:15],
                case_id=values[15],
                case_reference=values[16] or "",
                reviewed_by=(full_name or email) if reviewer_id else None,
                second_tier=values[17],
                second_tier_score=values[18],
            )
        )
    cards.sort(key=lambda card: position[card.id])
    return cards, chosen[0][1]


def feed_filter_choices(*, user) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(schools, sources) the feed can be narrowed to, each as (id, name) by name: the
    user's triage schools and the sources serving them, read in one query."""
    school_ids = permissions.school_ids_for(user, Action.TRIAGE_ALERTS)
    schools = (
        School.objects.filter(id__in=school_ids)
        .annotate(choice_kind=Value("school", output_field=CharField()))
        .values_list("choice_kind", "id", "name")
        .order_by()
    )
    sources = (
        Source.objects.filter(schools__id__in=school_ids)
        .annotate(choice_kind=Value("source", output_field=CharField()))
        .values_list("choice_kind", "id", "name")
        .order_by()
        .distinct()
    )
    found: dict[str, list[tuple[int, str]]] = {"school": [], "source": []}
    for kind, row_id, name in schools.union(sources, all=True):
        found[kind].append((row_id, name))
    return sorted(found["school"], key=_by_name), sorted(found["source"], key=_by_name)


def _by_name(choice: tuple[int, str]) -> tuple[str, int]:
    return choice[1], choice[0]


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
