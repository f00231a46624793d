"""Triage: dismiss with a reason, escalate into a new Case, or attach to an existing one.

Every move starts from NEW and is a conditional update, so two counselors acting on the same
alert at once cannot both win: the second gets AlertAlreadyReviewed. Callers pass alerts
they fetched through alerts.selectors (scoped to the user).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alerts.models import Alert, AlertStatus, DismissalReason
from cases.models import Case, CaseEvent, Category, Channel, Priority, PrioritySource
from cases.services.cases import PriorityDecision, case_open
from cases.services.events import case_event_record, case_surviving

ALREADY_REVIEWED = gettext_lazy("Someone else has already reviewed this alert.")
UNKNOWN_REASON = gettext_lazy("Choose why the alert is dismissed.")

CATEGORY_FOR_SCORER = {
    "violence": Category.THREAT,
    "weapons": Category.WEAPON,
    "self_harm": Category.SELF_HARM,
    "bullying": Category.BULLYING,
}
PRIORITY_FOR_SEVERITY = {
    "critical": Priority.LIFE_SAFETY,
    "high": Priority.URGENT,
    "medium": Priority.ROUTINE,
    "low": Priority.ROUTINE,
}


class AlertAlreadyReviewed(Exception):
    pass


def priority_for_alert(alert: Alert) -> PriorityDecision:
    """Priority from the scorer's severity: critical means life-safety."""
    priority = PRIORITY_FOR_SEVERITY.get(alert.severity, Priority.ROUTINE)
    top = alert.categories.get(alert.top_category, 0.0)
    reason = f"Scorer: {alert.severity} ({alert.top_category.replace('_', ' ')} {top:.2f})"
    return PriorityDecision(priority, PrioritySource.SCORER, reason)


def _mark_reviewed(alert: Alert, *, actor, **changes) -> None:
    now = timezone.now()
    updated = Alert.objects.filter(id=alert.id, status=AlertStatus.NEW).update(
        reviewed_by=actor, reviewed_at=now, **changes
    )
    if not updated:
        raise AlertAlreadyReviewed(ALREADY_REVIEWED)
    alert.reviewed_by, alert.reviewed_at = actor, now
    for name, value in changes.items():
        setattr(alert, name, value)


@transaction.atomic
def alert_dismiss(*, alert: Alert, reason: str, actor) -> Alert:
    if reason not in DismissalReason.values:
        raise ValueError(UNKNOWN_REASON)
    _mark_reviewed(alert, actor=actor, status=AlertStatus.DISMISSED, dismissal_reason=reason)
    return alert


@transaction.atomic
def alerts_bulk_dismiss(*, alerts: QuerySet[Alert], reason: str, actor) -> int:
    """Dismiss every still-new alert of the (already scoped) queryset; returns how many."""
    if reason not in DismissalReason.values:
        raise ValueError(UNKNOWN_REASON)
    return alerts.filter(status=AlertStatus.NEW).update(
        status=AlertStatus.DISMISSED,
        dismissal_reason=reason,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )


def _record_on_case(*, case: Case, alert: Alert, actor, opened: bool) -> None:
    """The audit trail's line: who put which alert on the case (ids only). The timeline shows
    the alert and its post from their own rows (Alert.case), so nothing is copied here."""
    case_event_record(
        case=case, kind=CaseEvent.Kind.ALERT_ADDED, actor=actor, alert_id=alert.id, opened=opened
    )


@transaction.atomic
def alert_escalate(*, alert: Alert, actor) -> Case:
    """Open a new social-channel Case for the alert's school and put the post on it."""
    locked = Alert.objects.select_for_update().filter(id=alert.id, status=AlertStatus.NEW)
    if not locked.exists():
        raise AlertAlreadyReviewed(ALREADY_REVIEWED)
    case = case_open(
        school=alert.school,
        channel=Channel.SOCIAL,
        category=CATEGORY_FOR_SCORER.get(alert.top_category, Category.OTHER),
        decision=priority_for_alert(alert),
        actor=actor,
    )
    _mark_reviewed(alert, actor=actor, status=AlertStatus.ESCALATED, case=case)
    _record_on_case(case=case, alert=alert, actor=actor, opened=True)
    return case


@transaction.atomic
def alert_attach(*, alert: Alert, case: Case, actor) -> Case:
    """Add the alert's post to an existing case (the survivor, if it was merged)."""
    case = case_surviving(case)
    _mark_reviewed(alert, actor=actor, status=AlertStatus.ESCALATED, case=case)
    _record_on_case(case=case, alert=alert, actor=actor, opened=False)
    return case
