"""The case lifecycle and every staff edit of a case.

Contract:
- Status moves follow ALLOWED_MOVES, the one map of the lifecycle; anything else raises
  CaseWorkflowError. Leaving RESOLVED or CLOSED is a reopen and needs a reason.
- Every edit is one conditional UPDATE on (id, version[, status]) that bumps Case.version.
  Zero rows means someone changed the case since the caller read it: StaleCaseError, never
  a silent overwrite. Callers pass the version their page showed (`expected_version`);
  without it, the version of the `case` object they hold.
- Every write records a CaseEvent; edits carry field diffs {"changes": {field: [old, new]}}.
  Encrypted fields (the outcome summary, the priority reason) show as "…" in the diff, and
  a staff member's reason for a change goes to the event's encrypted `staff_reason`, never
  to its data: data is exported as the audit CSV.
- Who may do what is asked of accounts.permissions: working a case needs WORK_CASES at its
  school (principals read, they do not work); assignees must be able to work there too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.permissions import Action
from cases import sla_arithmetic as sla
from cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    CaseStatus,
    CaseTag,
    CaseWatcher,
    Category,
    Outcome,
    Priority,
    PrioritySource,
)
from cases.selectors import cases_visible_to
from cases.services.calldown import calldown_start_later
from cases.services.escalation import case_due_times
from cases.services.events import case_event_record

ERROR_STALE = gettext_lazy(
    "Someone else changed this case. Reload it to see their change, then try again."
)
ERROR_MOVE = gettext_lazy("A case cannot move from “{old}” to “{new}”.")
ERROR_REOPEN_REASON = gettext_lazy("Say why the case is being reopened.")
ERROR_OUTCOME = gettext_lazy("Choose an outcome.")
ERROR_SUMMARY = gettext_lazy("Write a short summary of what was done.")
ERROR_CLOSE_WITHOUT_OUTCOME = gettext_lazy("Resolve the case with an outcome before closing it.")
ERROR_ASSIGNEE = gettext_lazy("Cases can be assigned only to staff who work cases at that school.")
ERROR_PRIORITY_REASON = gettext_lazy("Say why the priority changes.")
ERROR_NOTE = gettext_lazy("The note is empty.")
ERROR_NOT_ALLOWED = gettext_lazy("You may not do this on this case.")
ERROR_CATEGORIES = gettext_lazy("Choose at least one known category.")
SUMMARY_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 500
PRIORITY_REASON_MAX_LENGTH = 200

S = CaseStatus
# The lifecycle: the only status moves the services make.
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.TRIAGED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED}),
    S.TRIAGED: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.TRIAGED, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.CLOSED, S.TRIAGED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.TRIAGED, S.IN_PROGRESS}),
}
FINISHED = frozenset({S.RESOLVED, S.CLOSED})


class StaleCaseError(Exception):
    """The case changed since the caller read it."""

    def __init__(self, message: str = ERROR_STALE):
        super().__init__(message)


class CaseWorkflowError(ValidationError):
    """The edit is not allowed by the lifecycle or is missing what it needs."""


class CasePermissionError(PermissionDenied):
    """The actor may not do this to this case (views show it as 404)."""


def move_is_allowed(old: str, new: str) -> bool:
    return new in ALLOWED_MOVES.get(old, frozenset())


def move_refused(old: str, new: str):
    """The refusal of a status move, naming both statuses (not their codes) in the language of
    whoever reads it: the message and the names stay lazy until it is shown."""
    return format_lazy(ERROR_MOVE, old=_status_name(old), new=_status_name(new))


def _status_name(code: str):
    return CaseStatus(code).label if code in CaseStatus.values else code


def require_work(actor, case: Case) -> None:
    if not permissions.can(actor, Action.WORK_CASES, case.school_id):
        raise CasePermissionError(ERROR_NOT_ALLOWED)


def require_view(actor, case: Case) -> None:
    if not cases_visible_to(user=actor).filter(id=case.id).exists():
        raise CasePermissionError(ERROR_NOT_ALLOWED)


def _diff(case: Case, changes: dict) -> dict:
    def plain(value):
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value.pk if hasattr(value, "pk") else value

    return {
        field: [plain(getattr(case, field)), plain(value)]
        for field, value in changes.items()
        if getattr(case, field) != value
    }


def case_update(
    *,
    case: Case,
    actor,
    kind: str,
    changes: dict,
    expected_version: int | None = None,
    expected_status: str | None = None,
    redact: Iterable[str] = (),
    **event_data,
) -> Case:
    """Apply `changes` with one conditional UPDATE and record the event; the core of every
    edit. Raises StaleCaseError when (id, version[, status]) no longer matches."""
    version = case.version if expected_version is None else expected_version
    now = timezone.now()
    rows = Case.objects.filter(id=case.id, version=version)
    if expected_status is not None:
        rows = rows.filter(status=expected_status)
    diff = _diff(case, changes)
    for field in redact:  # encrypted text stays out of the (unencrypted) event data
        if field in diff:
            diff[field] = ["…", "…"]
    if not rows.update(**changes, version=F("version") + 1, updated_at=now):
        raise StaleCaseError()
    for field, value in changes.items():
        setattr(case, field, value)
    case.version = version + 1
    case.updated_at = now
    case_event_record(case=case, kind=kind, actor=actor, changes=diff, **event_data)
    return case


@transaction.atomic
def case_status_change(
    *, case: Case, status: str, actor, expected_version: int | None = None, reason: str = ""
) -> Case:
    """Triage, start, or reopen (with a reason). Resolving and closing have their own
    services, since they need an outcome."""
    require_work(actor, case)
    old = case.status
    if status in FINISHED:
        raise CaseWorkflowError(ERROR_OUTCOME)
    if not move_is_allowed(old, status):
        raise CaseWorkflowError(move_refused(old, status))
    changes: dict = {"status": status}
    reopening = old in FINISHED
    if reopening:
        if not reason.strip():
            raise CaseWorkflowError(ERROR_REOPEN_REASON)
        changes.update(resolved_at=None, closed_at=None, outcome="", outcome_summary="")
    return case_update(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.STATUS_CHANGED,
        changes=changes,
        expected_version=expected_version,
        expected_status=old,
        redact=("outcome_summary",),
        reopened=reopening,
        staff_reason=reason.strip()[:REASON_MAX_LENGTH],
    )


def case_reopen(*, case: Case, actor, reason: str, expected_version: int | None = None) -> Case:
    return case_status_change(
        case=case,
        status=CaseStatus.IN_PROGRESS,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
    )


def _outcome_checked(outcome: str, summary: str) -> tuple[str, str]:
    if outcome not in Outcome.values:
        raise CaseWorkflowError(ERROR_OUTCOME)
    summary = summary.strip()
    if not summary:
        raise CaseWorkflowError(ERROR_SUMMARY)
    return outcome, summary[:SUMMARY_MAX_LENGTH]


@transaction.atomic
def case_resolve(
    *, case: Case, outcome: str, summary: str, actor, expected_version: int | None = None
) -> Case:
    """Resolve with an outcome and a short summary (both required)."""
    require_work(actor, case)
    outcome, summary = _outcome_checked(outcome, summary)
    if not move_is_allowed(case.status, S.RESOLVED):
        raise CaseWorkflowError(move_refused(case.status, S.RESOLVED))
    return case_update(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.STATUS_CHANGED,
        changes={
            "status": S.RESOLVED,
            "outcome": outcome,
            "outcome_summary": summary,
            "resolved_at": timezone.now(),
        },
        expected_version=expected_version,
        expected_status=case.status,
        redact=("outcome_summary",),
    )


@transaction.atomic
def case_close(
    *,
    case: Case,
    actor,
    outcome: str = "",
    summary: str = "",
    expected_version: int | None = None,
) -> Case:
    """Close a resolved case, or an open one given its outcome and summary here."""
    require_work(actor, case)
    if not move_is_allowed(case.status, S.CLOSED):
        raise CaseWorkflowError(move_refused(case.status, S.CLOSED))
    now = timezone.now()
    changes: dict = {"status": S.CLOSED, "closed_at": now}
    if outcome or case.status != S.RESOLVED:
        if not outcome and not case.outcome:
            raise CaseWorkflowError(ERROR_CLOSE_WITHOUT_OUTCOME)
        outcome, summary = _outcome_checked(outcome or case.outcome, summary)
        changes.update(outcome=outcome, outcome_summary=summary, resolved_at=now)
    return case_update(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.STATUS_CHANGED,
        changes=changes,
        expected_version=expected_version,
        expected_status=case.status,
        redact=("outcome_summary",),
    )


def assignee_is_eligible(assignee, case: Case) -> bool:
    return assignee.is_active and permissions.can(assignee, Action.WORK_CASES, case.school_id)


@transaction.atomic
def case_assign(
    *, case: Case, assignee, actor, expected_version: int | None = None, reason: str = ""
) -> Case:
    """Assign (or, with assignee=None, unassign) to staff who may work cases at the school."""
    require_work(actor, case)
    if assignee is not None and not assignee_is_eligible(assignee, case):
        raise CaseWorkflowError(ERROR_ASSIGNEE)
    return case_update(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.ASSIGNED,
        changes={"assignee": assignee},
        expected_version=expected_version,
        assignee_id=assignee.id if assignee else None,
        previous_assignee_id=case.assignee_id,
        staff_reason=reason.strip()[:REASON_MAX_LENGTH],
    )


@transaction.atomic
def case_set_priority(
    *,
    case: Case,
    priority: int,
    actor,
    reason: str,
    source: str = PrioritySource.COUNSELOR,
    expected_version: int | None = None,
) -> Case:
    """Change priority with who/what set it and why; due times follow the new priority,
    counted from this moment when it is a raise (sla.clock_start) and from the opening
    otherwise. Raising a case to life-safety starts the call-down (after commit)."""
    if actor is not None:
        require_work(actor, case)
    priority = Priority(priority)
    if not reason.strip():
        raise CaseWorkflowError(ERROR_PRIORITY_REASON)
    since = sla.clock_start(
        opened_at=case.created_at,
        changed_at=timezone.now(),
        old_priority=case.priority,
        new_priority=priority,
    )
    due = case_due_times(case=case, priority=priority, since=since)
    updated = case_update(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.PRIORITY_CHANGED,
        changes={
            "priority": int(priority),
            "priority_source": str(source),
            "priority_reason": reason.strip()[:PRIORITY_REASON_MAX_LENGTH],
            "acknowledge_due_at": due.acknowledge_due_at,
            "first_response_due_at": due.first_response_due_at,
        },
        expected_version=expected_version,
        redact=("priority_reason",),
        staff_reason=reason.strip()[:PRIORITY_REASON_MAX_LENGTH],
    )
    if priority == Priority.LIFE_SAFETY and updated.acknowledged_at is None:
        calldown_start_later(case_id=updated.id)
    return updated


@transaction.atomic
def case_set_tags(
    *, case: Case, categories: Iterable[str], actor, expected_version: int | None = None
) -> Case:
    """Replace the case's category tags (at least one)."""
    require_work(actor, case)
    wanted = set(categories)
    if not wanted or not wanted <= set(Category.values):
        raise CaseWorkflowError(ERROR_CATEGORIES)
    current = set(case.tags.values_list("category", flat=True))
    case_update(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.TAGS_CHANGED,
        changes={},
        expected_version=expected_version,
        added=sorted(wanted - current),
        removed=sorted(current - wanted),
    )
    CaseTag.objects.filter(case=case, category__in=current - wanted).delete()
    CaseTag.objects.bulk_create(
        [CaseTag(case=case, category=category) for category in sorted(wanted - current)]
    )
    return case


@transaction.atomic
def case_acknowledge(*, case: Case, actor) -> bool:
    """One click from a call-down notice: the signed-in reader takes the case in hand.

    Anyone who may read the case may acknowledge it (on-call lists hold principals too).
    True when this click acknowledged it; False when someone already had (recorded anyway).
    The acknowledger who may work cases at the school also becomes the assignee when the
    case has none (one conditional update, recorded as an assignment "by acknowledging");
    an assigned case keeps its assignee.
    """
    require_view(actor, case)
    now = timezone.now()
    first = bool(
        Case.objects.filter(id=case.id, acknowledged_at__isnull=True).update(acknowledged_at=now)
    )
    if first:
        case.acknowledged_at = now
    case_event_record(case=case, kind=CaseEvent.Kind.ACKNOWLEDGED, actor=actor, first=first)
    _assign_to_acknowledger(case=case, actor=actor, now=now)
    return first


def _assign_to_acknowledger(*, case: Case, actor, now) -> bool:
    if not assignee_is_eligible(actor, case):
        return False
    taken = Case.objects.filter(id=case.id, assignee__isnull=True).update(
        assignee=actor, version=F("version") + 1, updated_at=now
    )
    if not taken:
        return False
    case.refresh_from_db(fields=["assignee", "version", "updated_at"])
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        actor=actor,
        changes={"assignee": [None, actor.id]},
        assignee_id=actor.id,
        previous_assignee_id=None,
        via="acknowledge",
    )
    return True


@transaction.atomic
def case_note_add(*, case: Case, actor, body: str) -> CaseNote:
    """An internal note: staff only, never shown or sent to the tipster."""
    require_work(actor, case)
    body = body.strip()
    if not body:
        raise CaseWorkflowError(ERROR_NOTE)
    note = CaseNote.objects.create(case=case, author=actor, body=body)
    case_event_record(case=case, kind=CaseEvent.Kind.NOTE_ADDED, actor=actor, note_id=note.id)
    return note


@transaction.atomic
def case_watch(*, case: Case, user, actor=None) -> bool:
    """Add a watcher who may read the case; True when newly added."""
    actor = actor or user
    require_view(actor, case)
    if user != actor:
        require_work(actor, case)
    require_view(user, case)
    _, created = CaseWatcher.objects.get_or_create(case=case, user=user)
    if created:
        case_event_record(
            case=case, kind=CaseEvent.Kind.WATCHERS_CHANGED, actor=actor, watcher_added=user.id
        )
    return created


@transaction.atomic
def case_unwatch(*, case: Case, user, actor=None) -> bool:
    actor = actor or user
    if user != actor:
        require_work(actor, case)
    removed, _ = CaseWatcher.objects.filter(case=case, user=user).delete()
    if removed:
        case_event_record(
            case=case, kind=CaseEvent.Kind.WATCHERS_CHANGED, actor=actor, watcher_removed=user.id
        )
    return bool(removed)
