"""Every read of alerts that staff see, scoped through accounts.permissions.

Alerts are visible to whoever may TRIAGE_ALERTS at the alert's school (counselors of that
school, the district's admins). Out-of-scope alerts are indistinguishable from missing ones.
Sources (and their health) are for district admins (MANAGE_SCHOOL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Q,
    QuerySet,
    Value,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import permissions
from accounts.kept import Kept, compiled_where
from accounts.models import School
from accounts.permissions import Action
from cases.models import OPEN_STATUSES, Case
from cases.selectors import cases_visible_to

from .models import SEVERITY_ORDER, SEVERITY_RANK, Alert, AlertStatus, Post, Source


def alerts_visible_to(*, user) -> QuerySet[Alert]:
    return _alerts_at(permissions.school_ids_for(user, Action.TRIAGE_ALERTS))


def _alerts_at(school_ids) -> QuerySet[Alert]:
    """The alerts of these schools (a user's scope: alerts_visible_to)."""
    return Alert.objects.filter(school_id__in=school_ids)


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
    return alerts.order_by(SEVERITY_RANK, "-created_at", "-id")


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


@dataclass(slots=True)
class FeedCard:
    """What one card of the feed shows, as plain values: no model instance is built for it.
    (Not frozen: a frozen dataclass sets each of its twenty fields through object.__setattr__,
    which made building a page's fifty cards cost more than reading them.)"""

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


# alerts_feed's order (models.SEVERITY_RANK, then the newest) as SQL over the alerts table
# (`{table}` is its name or alias), written as Django writes the rank in the feed's index
# (alert_feed_new_idx) so that PostgreSQL reads a school's new alerts from it in order
# (tests/workspace/test_feed_page_sql.py checks both the order and the index's use).
_FEED_RANK_SQL = (
    "CASE "
    + " ".join(
        f"WHEN {{table}}.\"severity\" = '{name}' THEN {rank}"
        for rank, name in enumerate(SEVERITY_ORDER)
    )
    + f" ELSE {len(SEVERITY_ORDER)} END"
)
_FEED_ORDER_SQL = _FEED_RANK_SQL + ', {table}."created_at" DESC, {table}."id" DESC'

# The page's query (_feed_page_sql) around its WHERE clause (scope and filters, as
# alerts_feed builds them with the ORM) and that clause's params, given twice (the total's,
# the page's), compiled once per (database, triage schools, filters, time zone of the date
# filters) and kept for the process: building and compiling the queryset cost more Python
# than the page's rows, and writing the query around it a tenth of a millisecond more. None:
# the scope is empty.
_FEED_WHERE: Kept = Kept(2000)


def _feed_where(school_ids: frozenset[int], filters: FeedFilters) -> tuple[str, tuple] | None:
    def compile_where() -> tuple[str, tuple] | None:
        try:
            where, params = compiled_where(_feed_filtered(_alerts_at(school_ids), filters))
        except EmptyResultSet:
            return None
        return _feed_page_sql(where), (*params, *params)

    key = (connection.alias, school_ids, filters, timezone.get_current_timezone_name())
    return _FEED_WHERE.keep(key, compile_where)


# What a card shows of the alert itself (FeedCard's first fields, in order), and the keys
# its other fields are read by.
_CARD_OWN_COLUMNS = (
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
)
_CARD_KEYS = ("post_id", "source_id", "school_id", "case_id", "reviewed_by_id")


def _feed_page_sql(where: str) -> str:
    """The feed's total under `where` (its params are given twice: once for the total, once
    for the page), then one page of cards, FeedCard's fields in order. The page's alerts are
    chosen on the alerts table alone, in the feed's order (from alert_feed_new_idx for a
    school's new alerts), with their rank in that order as a column; their post's text, URL
    and author, the source's and school's names, the case's reference and the reviewer's name
    (str(User): full name, else email) are looked up by primary key, and the page is put in
    order by that rank. Written so, PostgreSQL keeps the order the index gave (no sort) and
    reads each of the 50 posts by its key; joined to the posts, it hashed the whole posts
    table and sorted the page again (docs/performance.md, "Fifth pass: the alert feed": a
    sixth of the page's time in the database). Only names come from the models."""
    quote = connection.ops.quote_name
    alerts = quote(Alert._meta.db_table)

    def own(name: str) -> str:
        return f"card.{quote(name)}"

    def looked_up(model, value: str, key: str) -> str:
        table = quote(model._meta.db_table)
        return f"(SELECT {value} FROM {table} WHERE {table}.{quote('id')} = {own(key)})"  # noqa: S608

    reviewer = Alert._meta.get_field("reviewed_by").related_model
    own_columns = [own(name) for name in _CARD_OWN_COLUMNS]
    post_fields = ("text", "url", "author_handle")
    post_columns = [looked_up(Post, quote(name), "post_id") for name in post_fields]
    post_join = ""
    if connection.vendor == "postgresql":
        # The time as text in UTC, whatever the session's DateStyle, for datetime.fromisoformat
        # (_aware): psycopg's timestamptz loader under Django's costs 4 µs a row in Python.
        own_columns[1] = (
            f"to_char({own('created_at')} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        )
        # The post's three fields in one read of its row by key (SQLite has no LATERAL: three
        # lookups there). OFFSET 0 keeps PostgreSQL from turning it back into a join.
        posts = quote(Post._meta.db_table)
        post_columns = [f"post.{quote(name)}" for name in post_fields]
        fields = ", ".join(quote(name) for name in post_fields)
        key = f"{posts}.{quote('id')} = {own('post_id')}"
        post_join = f" CROSS JOIN LATERAL (SELECT {fields} FROM {posts} WHERE {key} OFFSET 0) post"  # noqa: S608
    columns = [
        *own_columns,
        *post_columns,
        looked_up(Source, quote("name"), "source_id"),
        looked_up(School, quote("name"), "school_id"),
        own("case_id"),
        looked_up(Case, quote("reference"), "case_id"),
        looked_up(
            reviewer,
            f"COALESCE(NULLIF({quote('full_name')}, ''), {quote('email')})",
            "reviewed_by_id",
        ),
        own("second_tier"),
        own("second_tier_score"),
    ]
    read = ", ".join(
        f"{alerts}.{quote(name)}"
        for name in (*_CARD_OWN_COLUMNS, *_CARD_KEYS, "second_tier", "second_tier_score")
    )
    rank = _FEED_RANK_SQL.format(table=alerts)
    return (
        f"SELECT (SELECT COUNT(*) FROM {alerts} WHERE {where}), {', '.join(columns)}"  # noqa: S608
        f" FROM (SELECT {read}, {rank} AS {quote('feed_rank')} FROM {alerts} WHERE {where}"
        f" ORDER BY {_FEED_ORDER_SQL.format(table=alerts)} LIMIT %s OFFSET %s) card{post_join}"
        f" ORDER BY {own('feed_rank')}, {own('created_at')} DESC, {own('id')} DESC"
    )


def _json(value):
    """A JSON column read raw, as JSONField.from_db_value gives it."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _aware(value):
    """created_at read as text (_feed_page_sql: PostgreSQL's in UTC, SQLite's as stored, in
    UTC), or as a datetime, as the ORM gives it: aware, in UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def alerts_feed_page(*, user, filters: FeedFilters, offset: int, size: int) -> tuple[list, int]:
    """One page of the feed (`alerts_feed`'s scope, filters and order) as FeedCards, and how
    many alerts the whole feed holds, in one query (_feed_page_sql) whose page is chosen
    before anything is joined, whatever the planner's statistics. Past the last page: no
    cards and a total of 0 (count it then). tests/workspace/test_feed_page_sql.py compares
    it with alerts_feed and FeedCard.from_alert for every filter, scope and kind of card."""
    query = _feed_where(permissions.school_ids_for(user, Action.TRIAGE_ALERTS), filters)
    if query is None:
        return [], 0
    with connection.cursor() as cursor:
        cursor.execute(query[0], [*query[1], size, offset])
        rows = cursor.fetchall()
    if not rows:
        return [], 0
    cards = []
    for row in rows:
        values = list(row[1:])
        values[1] = _aware(values[1])  # created_at
        values[5], values[6] = _json(values[5]), _json(values[6])  # matches, school_matches
        values[16] = values[16] or ""  # the case's reference: "" without a case
        cards.append(FeedCard(*values))
    return cards, rows[0][0]


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
