"""The audit trail: every read and write of a case, who, what, when, from CaseEvent.

Reads: every answer that carries a case's tip, message, note or attachment content records
who read it, through this module and nothing else: `case_view_record` (the case page and its
htmx partials, the API's case and tips endpoints, the audit page), `case_previews_record`
(the queue's one-line previews: one event per person and case per PREVIEW_READ_WINDOW) and
`attachment_view_record` (a file downloaded); and a partner's reads of a case shared with
them, `partner_view_record` (workspace/views/partner.py). tests/tipline/test_audit_reads.py requests
every staff and API URL and fails on any answer carrying content without one of these.
Writes record their own events in the services. District admins read the trail of their
district's schools and export it as CSV. Event data holds ids and field names, never tip text;
staff reasons live encrypted beside it (CaseEvent.staff_reason) and are never exported here.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from django.db.models import Model, QuerySet
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from accounts.permissions import Action
from cases.event_sentences import EventSentences
from cases.models import Case, CaseEvent
from cases.services.events import case_event_record

from .workflow import CasePermissionError, require_view

CSV_COLUMNS = [
    "when_utc",
    "case",
    "school",
    "who",
    "who_id",
    "action",
    "details",
    "description",
]
CSV_CHUNK = 2000
# Cells a spreadsheet would run as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def case_view_record(*, case: Case, actor: User, what: str = "case") -> CaseEvent:
    """Record that `actor` read the case (or part of it: `what`)."""
    require_view(actor, case)
    return case_event_record(case=case, kind=CaseEvent.Kind.VIEWED, actor=actor, what=what)


# A person's read of a case's preview is recorded once per window: the queue redraws the same
# fifty previews all day (the live check, every filter change), and the trail needs who saw
# which case's words and when, to this resolution, not one row per redraw.
PREVIEW_READ_WINDOW = timedelta(minutes=10)


def preview_reads_recent(*, case_ids: Iterable[int], actor: User, now=None) -> QuerySet:
    """The ids of those cases whose preview read by `actor` is already recorded within
    PREVIEW_READ_WINDOW of `now`: what case_previews_record leaves out. A values_list query,
    so a page can run it in the same round trip as its other reads (workspace.selectors)."""
    now = now or timezone.now()
    return (
        CaseEvent.objects.filter(
            case_id__in=list(case_ids),
            kind=CaseEvent.Kind.VIEWED,
            actor=actor,
            data__what="preview",
            created_at__gte=now - PREVIEW_READ_WINDOW,
        )
        .order_by()
        .values_list("case_id", flat=True)
    )


def case_previews_record(
    *, case_ids: Iterable[int], actor: User, now=None, recent: Iterable[int] | None = None
) -> int:
    """Record that `actor` read the one-line previews of these cases (the case queue and the
    home page show the tipster's latest words): one VIEWED event per case, `what="preview"`,
    unless this actor's read of that case's preview was recorded within
    PREVIEW_READ_WINDOW. One SELECT (none when the caller passes `recent`, the result of
    preview_reads_recent for the same cases, actor and `now`), and one INSERT when anything
    is new. The caller shows previews only of cases the actor may work
    (workspace.selectors.case_previews). Returns how many were recorded."""
    now = now or timezone.now()
    case_ids = set(case_ids)
    if recent is None:
        recent = preview_reads_recent(case_ids=case_ids, actor=actor, now=now)
    recent = set(recent)
    events = [
        CaseEvent(
            case_id=case_id,
            kind=CaseEvent.Kind.VIEWED,
            actor=actor,
            data={"what": "preview"},
            created_at=now,
        )
        for case_id in sorted(case_ids - recent)
    ]
    if events:
        CaseEvent.objects.bulk_create(events)
    return len(events)


def attachment_view_record(*, case: Case, attachment: Model, actor: User) -> CaseEvent:
    """Record that `actor` downloaded one of the case's files (a tipline Attachment, or any
    row of the case's that carries its own id and `case_id`)."""
    require_view(actor, case)
    if attachment.case_id != case.id:
        raise CasePermissionError("The file is not this case's.")
    return case_event_record(
        case=case,
        kind=CaseEvent.Kind.ATTACHMENT_VIEWED,
        actor=actor,
        attachment_id=attachment.id,
    )


def partner_view_record(*, share: Model, what: str = "case", **ids: int) -> CaseEvent:
    """Record that the partner of `share` (a cases.CaseShare, checked active by the caller)
    read its case (`what`: "case", "attachment" with `attachment_id`). The actor is no staff
    member: the event names the share and its contact."""
    return case_event_record(
        case=share.case,
        kind=CaseEvent.Kind.PARTNER_VIEWED,
        share_id=share.id,
        contact_id=share.contact_id,
        what=what,
        **ids,
    )


def audit_events_for(
    *, user, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[CaseEvent]:
    """Events of the schools where the user may view the audit trail (district admins)."""
    school_ids = permissions.school_ids_for(user, Action.VIEW_AUDIT)
    if not school_ids:
        raise CasePermissionError("Only district admins may read the audit trail.")
    events = CaseEvent.objects.filter(case__school_id__in=school_ids)
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    # Staff reasons are never read here (and so never decrypted): the trail says who did
    # what; the words are on the case page, whose every read is itself in the trail.
    return (
        events.select_related("case__school", "actor")
        .defer("staff_reason")
        .order_by("created_at", "id")
    )


def event_audit_details(event: CaseEvent) -> dict:
    """What the audit page and CSV show of an event's data: ids, codes and field names only
    (an alert put on a case is recorded by its id; its post is never copied onto the case)."""
    return event.data or {}


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def audit_csv_rows(events: QuerySet[CaseEvent]) -> Iterator[list[str]]:
    """The header, then one row per event: `details` is the event's data as JSON (for
    machines), `description` the same event as a sentence in the reader's language."""
    yield CSV_COLUMNS
    for chunk in _chunks(events.iterator(chunk_size=CSV_CHUNK), CSV_CHUNK):
        words = EventSentences(chunk)
        for event in chunk:
            yield [
                _cell(value)
                for value in (
                    event.created_at.astimezone(UTC).isoformat(),
                    event.case.reference,
                    event.case.school.name,
                    event.actor.email if event.actor else "system",
                    str(event.actor_id or ""),
                    event.kind,
                    json.dumps(event_audit_details(event), sort_keys=True, default=str),
                    words.sentence(event),
                )
            ]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_lines(
    *, user, since: datetime | None = None, until: datetime | None = None
) -> Iterator[str]:
    """The trail as CSV lines, for a StreamingHttpResponse (large districts, no memory spike).
    Raises CasePermissionError for anyone but a district admin."""
    writer = csv.writer(_Echo())
    events = audit_events_for(user=user, since=since, until=until)
    return (writer.writerow(row) for row in audit_csv_rows(events))
