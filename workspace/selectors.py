"""The workspace's reads: queues, search, the navigation count, assignable staff and the
case page's timeline, all within what cases.selectors lets the user see.

Child objects (tips, messages, notes, alerts, notices) are read through their case, never by
id alone.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
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
from tipline.models import Message, Tip

# --- The counselor workspace: queues, search, navigation count ----------------------------

QUEUES = ("mine", "unassigned", "life_safety", "overdue", "all")
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


def _queue_base(*, user, queue: str, now, open_only: bool) -> QuerySet[Case]:
    cases = cases_visible_to(user=user).filter(merged_into__isnull=True)
    if open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    if queue == "all":
        return cases
    if queue == "mine":
        return cases.filter(assignee_id=user.id)
    if queue == "unassigned":
        return cases.filter(assignee__isnull=True)
    if queue == "life_safety":
        return cases.filter(priority=Priority.LIFE_SAFETY)
    if queue == "overdue":
        return cases.filter(_overdue_q(now))
    raise ValueError(f"unknown queue {queue!r}")


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
    result.cases = (
        cases.distinct()
        .select_related("school", "assignee")
        .prefetch_related("tags")
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


def queue_counts_for(*, user, now=None) -> dict[str, int]:
    """Open-case counts of every queue, in one aggregate query."""
    now = now or timezone.now()
    open_cases = Q(status__in=OPEN_STATUSES)
    counts = (
        cases_visible_to(user=user)
        .filter(merged_into__isnull=True)
        .aggregate(
            mine=Count("id", filter=open_cases & Q(assignee_id=user.id)),
            unassigned=Count("id", filter=open_cases & Q(assignee__isnull=True)),
            life_safety=Count("id", filter=open_cases & Q(priority=Priority.LIFE_SAFETY)),
            overdue=Count("id", filter=open_cases & _overdue_q(now)),
            all=Count("id"),
        )
    )
    return {name: counts[name] or 0 for name in QUEUES}


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
