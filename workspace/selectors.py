"""The workspace's reads: queues, search, the navigation count, assignable staff and the
case page's timeline, all within what cases.selectors lets the user see.

Child objects (tips, messages, notes, alerts, notices) are read through their case, never by
id alone.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import School
from accounts.permissions import Action
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseNote,
    CaseStatus,
    Category,
    Notice,
    Outcome,
    PartnerContact,
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

# Keys of event data that hold a user id / a case id, resolved to names in one query each.
_USER_KEYS = ("assignee_id", "watcher_added", "watcher_removed", "to_user_id")
_CASE_KEYS = ("merged_into_id", "linked_case_id", "unlinked_case_id")


@dataclass
class TimelineEntry:
    """One line of the case timeline. `kind`: tip, post, message, note or event."""

    kind: str
    at: object
    item: object = None
    text: str = ""
    count: int = 1


def _user_label(users: dict, user_id) -> str:
    user = users.get(user_id)
    if user is None:
        return _("nobody") if user_id is None else _("a former staff member")
    return user.get_full_name() or user.email


def _status_label(value) -> str:
    return str(CaseStatus(value).label) if value in CaseStatus.values else str(value)


_KEYWORD_TEXTS = {
    "opt_out": gettext_lazy(
        "%(alias)s texted %(word)s: opted out of texts (replies are refused until they text "
        "START or COMENZAR)"
    ),
    "opt_in": gettext_lazy("%(alias)s texted %(word)s: texts are back on"),
    "help": gettext_lazy("%(alias)s texted %(word)s: the help text was sent"),
}


def _keyword_text(data: dict) -> str:
    template = _KEYWORD_TEXTS.get(data.get("keyword"), gettext_lazy("%(alias)s texted %(word)s"))
    return str(template) % {"alias": data.get("alias", "?"), "word": data.get("word", "?")}


def _event_text(event: CaseEvent, users: dict, references: dict) -> str:
    data, kind = event.data or {}, event.kind
    changes = data.get("changes") or {}
    if kind == CaseEvent.Kind.STATUS_CHANGED and "status" in changes:
        old, new = changes["status"]
        text = _("Status: %(old)s → %(new)s") % {
            "old": _status_label(old),
            "new": _status_label(new),
        }
        if "outcome" in changes and changes["outcome"][1]:
            outcome = changes["outcome"][1]
            label = Outcome(outcome).label if outcome in Outcome.values else outcome
            text += " · " + _("outcome: %(outcome)s") % {"outcome": label}
        if event.staff_reason:
            text += " · " + _("reason: %(reason)s") % {"reason": event.staff_reason}
        return text
    if kind == CaseEvent.Kind.PRIORITY_CHANGED and "priority" in changes:
        old, new = (Priority(value).label for value in changes["priority"])
        text = _("Priority: %(old)s → %(new)s") % {"old": old, "new": new}
        return text + (" · " + event.staff_reason if event.staff_reason else "")
    if kind == CaseEvent.Kind.ASSIGNED:
        text = _("Assigned to %(who)s") % {"who": _user_label(users, data.get("assignee_id"))}
        return text + (" · " + event.staff_reason if event.staff_reason else "")
    if kind == CaseEvent.Kind.TAGS_CHANGED:
        parts = [f"+{Category(c).label}" for c in data.get("added", []) if c in Category.values]
        parts += [f"−{Category(c).label}" for c in data.get("removed", []) if c in Category.values]
        return _("Tags: %(tags)s") % {"tags": ", ".join(parts) or "—"}
    if kind == CaseEvent.Kind.MERGED:
        if data.get("merged_into_id"):
            ref = references.get(data["merged_into_id"], "?")
            return _("Merged into case %(ref)s as a duplicate") % {"ref": ref}
        return _("Case %(ref)s merged into this one") % {"ref": data.get("merged_reference", "?")}
    if kind == CaseEvent.Kind.LINKED:
        if data.get("unlinked_case_id"):
            ref = references.get(data["unlinked_case_id"], "?")
            return _("Unlinked from case %(ref)s") % {"ref": ref}
        return _("Linked to case %(ref)s") % {"ref": references.get(data.get("linked_case_id"))}
    if kind == CaseEvent.Kind.WATCHERS_CHANGED:
        if data.get("watcher_added"):
            return _("%(who)s is watching") % {"who": _user_label(users, data["watcher_added"])}
        return _("%(who)s stopped watching") % {
            "who": _user_label(users, data.get("watcher_removed"))
        }
    if kind == CaseEvent.Kind.ESCALATED and data.get("to_user_id"):
        text = _("Escalated to %(who)s") % {"who": _user_label(users, data["to_user_id"])}
        if data.get("deadline"):
            text += " · " + _("missed deadline: %(d)s") % {"d": data["deadline"].replace("_", " ")}
        return text
    if kind == CaseEvent.Kind.MESSAGE_UNDELIVERED and data.get("reason"):
        return f"{event.get_kind_display()} · {data['reason']}"
    if kind == CaseEvent.Kind.SMS_KEYWORD:
        return _keyword_text(data)
    if kind == CaseEvent.Kind.ACKNOWLEDGED and data.get("first") is False:
        return _("Acknowledged (already acknowledged)")
    if kind == CaseEvent.Kind.VIEWED and data.get("what") not in (None, "case"):
        return _("Viewed: %(what)s") % {"what": data["what"]}
    return str(event.get_kind_display())


_SHARE_KINDS = frozenset(
    {
        CaseEvent.Kind.SHARED,
        CaseEvent.Kind.SHARE_REVOKED,
        CaseEvent.Kind.PARTNER_VIEWED,
        CaseEvent.Kind.PARTNER_CODE_FAILED,
    }
)


def _share_event_text(event: CaseEvent, contacts: dict) -> str:
    """A partner event, naming the agency and contact (the event keeps their ids only)."""
    data = event.data or {}
    contact = contacts.get(data.get("contact_id"))
    who = f"{contact.agency.name}: {contact.name}" if contact else _("a former partner contact")
    if event.kind == CaseEvent.Kind.SHARED:
        parts = [
            _("with files") if data.get("with_attachments") else _("without files"),
            _("with messages") if data.get("with_messages") else _("without messages"),
        ]
        return _("Shared with %(who)s for %(hours)s hours (%(parts)s)") % {
            "who": who,
            "hours": data.get("hours", "?"),
            "parts": ", ".join(str(part) for part in parts),
        }
    if event.kind == CaseEvent.Kind.SHARE_REVOKED:
        return _("Access of %(who)s revoked") % {"who": who}
    if event.kind == CaseEvent.Kind.PARTNER_VIEWED:
        if data.get("what") == "attachment":
            return _("File downloaded by the partner %(who)s") % {"who": who}
        return _("Viewed by the partner %(who)s") % {"who": who}
    return _("A wrong code was entered on the link of %(who)s") % {"who": who}


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
    from accounts.models import User

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
    user_ids, case_ids = set(), set()
    for event in events:
        data = event.data or {}
        user_ids.update(data.get(key) for key in _USER_KEYS)
        case_ids.update(data.get(key) for key in _CASE_KEYS)
    user_ids.discard(None)
    case_ids.discard(None)
    users = {u.id: u for u in User.objects.filter(id__in=user_ids)} if user_ids else {}
    references = (
        dict(Case.objects.filter(id__in=case_ids).values_list("id", "reference"))
        if case_ids
        else {}
    )
    contact_ids = {(e.data or {}).get("contact_id") for e in events if e.kind in _SHARE_KINDS}
    contact_ids.discard(None)
    contacts = (
        PartnerContact.objects.select_related("agency").in_bulk(contact_ids) if contact_ids else {}
    )
    for event in events:
        text = (
            _share_event_text(event, contacts)
            if event.kind in _SHARE_KINDS
            else _event_text(event, users, references)
        )
        entries.append(TimelineEntry("event", event.created_at, event, text))
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
