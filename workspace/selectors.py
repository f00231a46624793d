"""The workspace's reads: queues, search, the navigation count, assignable staff and the
case page's timeline, all within what cases.selectors lets the user see.

Child objects (tips, messages, notes, alerts, notices) are read through their case, never by
id alone.
"""

import contextlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case as DbCase
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import auth_cache, crypto, permissions
from accounts.models import School
from accounts.permissions import Action
from cases.event_sentences import EventSentences
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseNote,
    CaseStatus,
    Category,
    Notice,
    Priority,
)
from cases.selectors import cases_visible_to
from cases.text_reading import category_guess
from tipline.models import Message, Tip

from . import queue_sql

# --- The counselor workspace: queues, search, navigation count ----------------------------

QUEUES = queue_sql.QUEUES
# Text search decrypts tip, message and note bodies: only over this many of the (scoped,
# filtered) cases, newest first, so one search can never decrypt a whole district.
TEXT_SEARCH_LIMIT = 300


@dataclass(frozen=True)
class QueueFilters:
    school: int | None = None
    status: str = ""
    priority: int | None = None
    tag: str = ""
    channel: str = ""
    assignee: int | None = None  # 0 means "nobody"
    query: str = ""


@dataclass
class QueueResult:
    cases: QuerySet[Case]
    # Text search only: True when the scoped, filtered set was larger than TEXT_SEARCH_LIMIT
    # and only the newest cases were searched.
    search_truncated: bool = False
    searched: int = 0


def _overdue_q(now) -> Q:
    return Q(acknowledge_due_at__lt=now, acknowledged_at__isnull=True) | Q(
        first_response_due_at__lt=now, first_response_at__isnull=True
    )


def _queue_q(*, user, queue: str, now) -> Q:
    """What puts a case in a queue: one definition for the list and for its counts."""
    if queue == "all":
        return Q()
    if queue == "mine":
        return Q(assignee_id=user.id)
    if queue == "unassigned":
        return Q(assignee__isnull=True)
    if queue == "life_safety":
        return Q(priority=Priority.LIFE_SAFETY)
    if queue == "overdue":
        return _overdue_q(now)
    raise ValueError(f"unknown queue {queue!r}")


def _queue_base(*, user, queue: str, now, open_only: bool) -> QuerySet[Case]:
    cases = cases_visible_to(user=user).filter(merged_into__isnull=True)
    if open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    return cases.filter(_queue_q(user=user, queue=queue, now=now))


def _label_matches(choices, text: str) -> list[str]:
    text = text.casefold()
    return [value for value, label in choices if text and text in str(label).casefold()]


def _text_matches(case_ids: list[int], text: str) -> set[int]:
    """Ids of the cases whose tips, messages or notes contain `text` (decrypted here, in
    three queries, whatever the number of cases)."""
    needle = text.casefold()
    found: set[int] = set()
    for model, fields in (
        (Tip, ("body", "who_involved", "location", "when_happened")),
        (Message, ("body",)),
        (CaseNote, ("body",)),
    ):
        for row in model.objects.filter(case_id__in=case_ids).only("case_id", *fields):
            if row.case_id not in found and any(
                needle in (getattr(row, field) or "").casefold() for field in fields
            ):
                found.add(row.case_id)
    return found


def case_queue(*, user, queue: str, filters: QueueFilters, now=None) -> QueueResult:
    """One queue of the user's cases, narrowed by the filters, life-safety first then oldest.

    The search text matches a case reference, a tag or status name, or (decrypted, within the
    user's scope only, over at most TEXT_SEARCH_LIMIT cases) the text of tips, messages and
    internal notes. A fixed number of queries, however many cases match.
    """
    now = now or timezone.now()
    # Queues hold open cases; choosing a status or searching reaches resolved and closed ones.
    open_only = not filters.status and not filters.query.strip()
    cases = _queue_base(user=user, queue=queue, now=now, open_only=open_only)
    if filters.school:
        cases = cases.filter(school_id=filters.school)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.priority:
        cases = cases.filter(priority=filters.priority)
    if filters.tag:
        cases = cases.filter(tags__category=filters.tag)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.assignee == 0:
        cases = cases.filter(assignee__isnull=True)
    elif filters.assignee:
        cases = cases.filter(assignee_id=filters.assignee)
    result = QueueResult(cases=cases)
    text = filters.query.strip()
    if text:
        matches = Q(reference__iexact=text.lstrip("#"))
        tags = _label_matches(Category.choices, text)
        statuses = _label_matches(CaseStatus.choices, text)
        if tags:
            matches |= Q(tags__category__in=tags)
        if statuses:
            matches |= Q(status__in=statuses)
        if len(text) >= 3:
            candidates = list(
                cases.order_by("-created_at").values_list("id", flat=True)[: TEXT_SEARCH_LIMIT + 1]
            )
            result.search_truncated = len(candidates) > TEXT_SEARCH_LIMIT
            candidates = candidates[:TEXT_SEARCH_LIMIT]
            result.searched = len(candidates)
            matches |= Q(id__in=_text_matches(candidates, text))
        cases = cases.filter(matches)
    if filters.tag or text:
        cases = cases.distinct()  # the tag join can repeat a case; DISTINCT costs otherwise
    result.cases = (
        # The encrypted texts of the case itself are not shown in a queue: not decrypted.
        cases.defer("priority_reason", "outcome_summary")
        .select_related("school", "assignee")
        .order_by("priority", "created_at", "id")
    )
    return result


def cases_attention_count_for(*, user) -> int:
    """The navigation badge: open cases in scope that are unassigned or life-safety."""
    return (
        cases_visible_to(user=user)
        .filter(status__in=OPEN_STATUSES, merged_into__isnull=True)
        .filter(Q(assignee__isnull=True) | Q(priority=Priority.LIFE_SAFETY))
        .count()
    )


@dataclass(frozen=True)
class QueueState:
    """The open-case count of every queue, and a fingerprint that changes whenever a case in
    the user's scope opens, changes (every workflow write bumps Case.version) or goes
    overdue. `life_safety_latest`: the newest open life-safety case's id (0: none)."""

    counts: dict[str, int]
    fingerprint: str
    life_safety_latest: int


def queue_state_for(*, user, now=None) -> QueueState:
    """The queues' tab counts and the live fingerprint, in one aggregate query
    (workspace.queue_sql.queue_counts). Each count has the same definition as its list
    (`_queue_q` over open, unmerged cases), so a tab and the heading over its list agree."""
    return _state(queue_sql.queue_counts(user=user, now=now or timezone.now()))


def _state(row: queue_sql.QueueCounts) -> QueueState:
    parts = [row.cases, row.newest, row.versions, *row.counts.values()]
    return QueueState(
        counts=row.counts,
        fingerprint="-".join(str(part) for part in parts),
        life_safety_latest=row.life_safety_latest,
    )


def queue_state_with_page(*, user, rows, start: int, stop: int) -> QueueState:
    """queue_state_for(user) read in one statement with `rows`' cases [start:stop]
    (queue_sql.QueuePageRows.counted_page: the Paginator's slice of that page then costs no
    query), at the rows' own moment."""
    return _state(rows.counted_page(user=user, now=rows.now, start=start, stop=stop))


def queue_counts_for(*, user, now=None) -> dict[str, int]:
    """Open-case counts of every queue, in one aggregate query."""
    return queue_state_for(user=user, now=now).counts


# What a queue row shows of a case, read as plain values (no model rows: a page of 50 cases
# with their schools and assignees as model instances costs more than the rest of the page).
QUEUE_ROW_FIELDS = queue_sql.ROW_VALUES


@dataclass
class QueueRow:
    """One case as a queue row draws it (the same attribute names as Case)."""

    id: int
    reference: str
    status: str
    priority: int
    category: str
    channel: str
    needs_review: bool
    created_at: object
    acknowledged_at: object
    first_response_at: object
    acknowledge_due_at: object
    first_response_due_at: object
    school_id: int
    assignee_id: int | None
    assignee_name: str
    school: School | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_life_safety(self) -> bool:
        return self.priority == Priority.LIFE_SAFETY


def queue_listing(*, user, queue: str, filters: QueueFilters, now=None):
    """(QueueResult, rows for a Paginator) of one queue under the filters. Without search
    text the rows come from queue_sql.QueuePageRows (the same conditions in SQL, without
    building the ORM's query on every refresh); a search goes through case_queue."""
    if filters.query.strip():
        result = case_queue(user=user, queue=queue, filters=filters, now=now)
        return result, queue_values(result.cases)
    rows = queue_sql.QueuePageRows(
        user=user, queue=queue, filters=filters, now=now or timezone.now()
    )
    return QueueResult(cases=Case.objects.none()), rows


def queue_values(cases: QuerySet[Case]) -> QuerySet:
    """The queue's cases as the values of a row, for a Paginator (see QueueRow)."""
    return cases.select_related(None).values(*QUEUE_ROW_FIELDS)


def queue_row(values: dict, schools: dict[int, School]) -> QueueRow:
    full_name = values.pop("assignee__full_name")
    email = values.pop("assignee__email")
    return QueueRow(
        **values,
        assignee_name=(full_name or email or "") if values["assignee_id"] else "",
        school=schools.get(values["school_id"]),
    )


# --- One-line previews ---------------------------------------------------------------------

PREVIEW_LENGTH = 100


@dataclass(frozen=True)
class Preview:
    """The tipster's latest words on a case, on one line, and (for a case filed under
    "Other", as every SMS case is) the category the words suggest."""

    text: str
    inferred_category: str | None = None


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1].rstrip() + "…"


@dataclass
class PageReads:
    """What a page of cases shows beside each: tags, previews, and which previews' reads are
    already recorded (for cases.services.audit.case_previews_record's `recent`)."""

    tags: dict[int, list[str]]
    previews: dict[int, Preview]
    recently_read: set[int]
    now: object


def case_page_reads(*, user, cases, now=None) -> PageReads:
    """The tags of `cases` (a page already scoped to the user) and their previews at the
    schools where the user works cases (counselors, district admins; a principal opens the
    case instead). Only each case's newest words are decrypted, never cached; the caller
    records the read (cases.services.audit.case_previews_record, with `recently_read` and
    `now` from here). One query, whatever the page size."""
    now = now or timezone.now()
    allowed = permissions.school_ids_for(user, Action.WORK_CASES)
    categories = {case.id: case.category for case in cases}
    extras = queue_sql.page_extras(
        user=user,
        case_ids=list(categories),
        preview_ids=[case.id for case in cases if case.school_id in allowed],
        now=now,
    )
    # Tip.body and Message.body are EncryptedTextFields: "" once erased by retention, else
    # a token. The page's tokens are decrypted together (one AES context, not fifty).
    sealed = {case_id: token for case_id, token in extras.newest_words.items() if token}
    texts = dict(zip(sealed, crypto.decrypt_texts(list(sealed.values())), strict=True))
    previews = {}
    for case_id, text in texts.items():
        if not text:
            continue
        inferred = category_guess(text) if categories[case_id] == Category.OTHER else None
        previews[case_id] = Preview(_one_line(text), inferred)
    return PageReads(extras.tags, previews, extras.recently_read & set(previews), now)


def staff_assignable_for(*, school) -> QuerySet:
    """Active staff who may work cases at `school`: its counselors and its district's admins."""
    from accounts.models import Role, User

    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__school=school, memberships__role=Role.COUNSELOR)
            | Q(
                district_memberships__district_id=school.district_id,
                district_memberships__role=Role.DISTRICT_ADMIN,
            )
        )
        .distinct()
        .order_by("full_name", "email")
    )


def staff_assignable_in(*, user) -> QuerySet:
    """Everyone the queue's assignee filter may offer: staff who work cases where `user` can
    read them."""
    from accounts.models import Role, User

    school_ids = permissions.school_ids_for(user, Action.VIEW_CASES)
    district_ids = School.objects.filter(id__in=school_ids).values("district_id")
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__school_id__in=school_ids, memberships__role=Role.COUNSELOR)
            | Q(
                district_memberships__district_id__in=district_ids,
                district_memberships__role=Role.DISTRICT_ADMIN,
            )
        )
        .distinct()
        .order_by("full_name", "email")
    )


STAFF_CHOICES_SECONDS = 60


def staff_choices_in(*, user) -> list[tuple[int, str]]:
    """`staff_assignable_in` as (id, name) pairs for the queue's assignee filter, kept a minute
    per user in the cache (the list changes when staff do, not between two queue pages)."""
    return queue_menus_for(user=user).staff


@dataclass(frozen=True)
class QueueMenus:
    """What the queue's filters offer: the user's schools (by name) and the staff they may
    filter by."""

    schools: list[School]
    staff: list[tuple[int, str]]


_SCHOOL_FIELDS = ("id", "name", "slug", "timezone")


def _menus_key(user_id) -> str:
    return f"queue-menus:{user_id}"


# The menus are read in the signed-in user's cache round trip (accounts/auth_cache.py), with
# the roles' version they are checked against, not in one of their own.
auth_cache.prefetch_also("queue-menus", lambda user_id: [_menus_key(user_id)])


def queue_menus_for(*, user) -> QueueMenus:
    """The user's schools and assignable staff, kept together in the cache for
    STAFF_CHOICES_SECONDS (one cache read instead of a query and a read). The schools follow
    any change at once: the entry is for this set of schools and the schools' version
    (accounts.permissions.ROLES_VERSION_KEY, bumped whenever a school is saved or deleted);
    the staff list may lag by the entry's minute, as before. Without a cache, both are read."""
    school_ids = sorted(permissions.school_ids_for(user, Action.VIEW_CASES))
    key = _menus_key(user.pk)
    # Read with the signed-in user when the middleware did (a key it lacks was not in the
    # cache either), else in a round trip of their own.
    found = getattr(user, auth_cache.PREFETCHED_ATTRIBUTE, None)
    if found is None:
        try:
            found = cache.get_many([key, permissions.ROLES_VERSION_KEY])
        except Exception:  # no cache: read them, as without one
            found = None
    version = (found or {}).get(permissions.ROLES_VERSION_KEY, 0)
    entry = (found or {}).get(key)
    if entry is not None and entry[0] == (version, school_ids):
        schools = [School(**dict(zip(_SCHOOL_FIELDS, row, strict=True))) for row in entry[1]]
        return QueueMenus(schools, entry[2])
    rows = list(
        School.objects.filter(id__in=school_ids).order_by("name").values_list(*_SCHOOL_FIELDS)
    )
    staff = [
        (member.id, member.get_full_name() or member.email)
        for member in staff_assignable_in(user=user).only("id", "full_name", "email")
    ]
    if found is not None:
        with contextlib.suppress(Exception):
            cache.set(key, ((version, school_ids), rows, staff), STAFF_CHOICES_SECONDS)
    schools = [School(**dict(zip(_SCHOOL_FIELDS, row, strict=True))) for row in rows]
    return QueueMenus(schools, staff)


def case_find_by_reference(*, user, reference: str, action: Action = Action.WORK_CASES):
    """The surviving case with this reference that the user may act on, or None."""
    reference = reference.strip().lstrip("#").upper()
    if not reference:
        return None
    school_ids = permissions.school_ids_for(user, action)
    return (
        cases_visible_to(user=user)
        .filter(school_id__in=school_ids, reference=reference)
        .select_related("school")
        .first()
    )


# --- The case page's timeline --------------------------------------------------------------

# Events the timeline shows as the object itself (the tip, message or note), not as a line.
_SHOWN_AS_OBJECTS = frozenset(
    {
        CaseEvent.Kind.TIP_ADDED,
        CaseEvent.Kind.ALERT_ADDED,
        CaseEvent.Kind.MESSAGE_RECEIVED,
        CaseEvent.Kind.MESSAGE_SENT,
        CaseEvent.Kind.NOTE_ADDED,
    }
)


@dataclass
class TimelineEntry:
    """One line of the case timeline. `kind`: tip, post, message, note or event."""

    kind: str
    at: object
    item: object = None
    text: str = ""
    count: int = 1


def _notice_text(notice: Notice) -> str:
    who = notice.recipient.get_full_name() or notice.recipient.email
    via = notice.get_via_display()
    if notice.status == Notice.Status.SENT:
        text = _("%(reason)s sent to %(who)s by %(via)s")
    elif notice.status == Notice.Status.FAILED:
        text = _("%(reason)s to %(who)s by %(via)s failed")
    elif notice.status == Notice.Status.HELD:
        text = _("%(reason)s to %(who)s held for the morning digest")
    else:
        text = _("%(reason)s to %(who)s by %(via)s waiting to be sent")
    return text % {"reason": notice.get_reason_display(), "who": who, "via": via}


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """Everything on the case in time order: tips, social-post alerts (read from the alerts'
    own rows), messages with the tipster, internal notes, the notices staff were sent, and
    events. Consecutive views by the same person fold into one line. A fixed number of
    queries."""

    entries = [
        TimelineEntry("tip", tip.received_at, tip)
        for tip in case.tips.select_related(
            "reporter", "voice_call", "entered_by"
        ).prefetch_related("attachments")
    ]
    entries += [
        TimelineEntry("message", message.created_at, message)
        for message in case.messages.select_related("reporter", "author").prefetch_related(
            "attachments"
        )
    ]
    entries += [
        TimelineEntry("note", note.created_at, note)
        for note in case.notes.select_related("author", "share__contact__agency")
    ]
    entries += [
        TimelineEntry("post", alert.reviewed_at or alert.created_at, alert)
        for alert in case.alerts.select_related("post__source", "reviewed_by")
    ]
    entries += [
        TimelineEntry("notice", notice.sent_at or notice.created_at, notice, _notice_text(notice))
        for notice in case.notices.select_related("recipient")
    ]
    events = [e for e in case.events.select_related("actor") if e.kind not in _SHOWN_AS_OBJECTS]
    words = EventSentences(events)
    for event in events:
        entries.append(
            TimelineEntry(
                "event", event.created_at, event, words.sentence(event, with_reasons=True)
            )
        )
    entries.sort(key=lambda entry: entry.at)
    folded: list[TimelineEntry] = []
    for entry in entries:
        previous = folded[-1] if folded else None
        if (
            previous is not None
            and entry.kind == previous.kind == "event"
            and entry.item.kind == previous.item.kind == CaseEvent.Kind.VIEWED
            and entry.item.actor_id == previous.item.actor_id
        ):
            previous.count += 1
            previous.at = entry.at
            continue
        folded.append(entry)
    return folded


# --- The home page: the person's work ------------------------------------------------------

HOME_LIST_LIMIT = 25


def cases_needing_attention(*, user, now=None) -> list[Case]:
    """Open cases in scope that are overdue or life-safety: life-safety first, overdue ones
    before the others, then oldest. At most HOME_LIST_LIMIT. The ORM's definition of the home
    page's first list; the page reads it as rows through home_lists (the same list, tested)."""
    now = now or timezone.now()
    overdue = _overdue_q(now)
    return list(
        _queue_base(user=user, queue="all", now=now, open_only=True)
        .filter(overdue | Q(priority=Priority.LIFE_SAFETY))
        .annotate(
            is_late=DbCase(
                When(overdue, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .select_related("school", "assignee")
        .order_by("priority", "-is_late", "created_at", "id")[:HOME_LIST_LIMIT]
    )


def cases_assigned_open(*, user, exclude: list[int]) -> list[Case]:
    """The user's own open cases, oldest first, leaving out those already listed."""
    return list(
        _queue_base(user=user, queue="mine", now=timezone.now(), open_only=True)
        .exclude(id__in=exclude)
        .select_related("school", "assignee")
        .order_by("priority", "created_at", "id")[:HOME_LIST_LIMIT]
    )


def home_lists(*, user, now=None) -> tuple[list[QueueRow], list[QueueRow]]:
    """The home page's lists as queue rows: cases_needing_attention and, without those,
    cases_assigned_open, in one query (queue_sql.home_rows); their schools from the cache
    (queue_menus_for)."""
    attention, mine = queue_sql.home_rows(
        user=user, now=now or timezone.now(), limit=HOME_LIST_LIMIT
    )
    schools = {}
    if attention or mine:
        # Every listed case is at one of the user's schools: kept with the queue's menus.
        schools = {school.id: school for school in queue_menus_for(user=user).schools}
    return (
        [queue_row(values, schools) for values in attention],
        [queue_row(values, schools) for values in mine],
    )


@dataclass(frozen=True)
class SchoolOverview:
    school: School
    open: int
    life_safety: int
    overdue: int
    unassigned: int


def district_overview_for(*, user, now=None) -> list[SchoolOverview]:
    """Per school the user administers: open cases, life-safety, overdue, unassigned (one
    grouped query, plus the schools)."""
    now = now or timezone.now()
    school_ids = permissions.school_ids_for(user, Action.MANAGE_SCHOOL)
    if not school_ids:
        return []
    rows = {
        row["school_id"]: row
        for row in Case.objects.filter(
            school_id__in=school_ids, status__in=OPEN_STATUSES, merged_into__isnull=True
        )
        .values("school_id")
        .annotate(
            open=Count("id"),
            life_safety=Count("id", filter=Q(priority=Priority.LIFE_SAFETY)),
            overdue=Count("id", filter=_overdue_q(now)),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
        )
        .order_by()
    }
    overview = []
    for school in School.objects.filter(id__in=school_ids).order_by("name"):
        row = rows.get(school.id, {})
        overview.append(
            SchoolOverview(
                school=school,
                open=row.get("open", 0),
                life_safety=row.get("life_safety", 0),
                overdue=row.get("overdue", 0),
                unassigned=row.get("unassigned", 0),
            )
        )
    return overview
