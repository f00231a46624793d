"""SLA clocks on cases: due times set when a case opens or its priority changes; missed
deadlines flagged once and escalated to the school's principal(s).

The arithmetic lives in cases.sla_arithmetic (pure); this module reads district policy and
writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import DistrictMembership, DistrictPolicy, Membership, Role
from accounts.policies import district_policy
from cases.models import OPEN_STATUSES, Case, CaseEvent, Notice
from cases.services.events import case_event_record

from .. import sla_arithmetic as sla
from .notices import NoticeText, case_url, notice_send, notices_claim, targets_for

MISSED_FIELDS = {
    "acknowledge": "acknowledge_missed_at",
    "first_response": "first_response_missed_at",
}
ESCALATION_STEPS = {"acknowledge": 1, "first_response": 2}
# Rendered in each recipient's language (cases.services.notices).
ESCALATION_SUBJECT = _("Escalated: a case at %(school)s missed its deadline")
ESCALATION_NOTICE = {
    "acknowledge": _(
        "Tip line: a case at %(school)s has missed its acknowledge deadline and was "
        "escalated to you. Sign in to read it: %(link)s"
    ),
    "first_response": _(
        "Tip line: a case at %(school)s has missed its first response deadline and was "
        "escalated to you. Sign in to read it: %(link)s"
    ),
}


def sla_targets(policy: DistrictPolicy) -> sla.SlaTargets:
    return sla.SlaTargets(
        life_safety_acknowledge=timedelta(minutes=policy.life_safety_acknowledge_minutes),
        urgent_first_response=timedelta(minutes=policy.urgent_first_response_minutes),
        routine_school_days=max(1, policy.routine_first_response_school_days),
    )


def case_due_times(
    *, case: Case, priority: int | None = None, since: datetime | None = None
) -> sla.DueTimes:
    """Due times of `case` (at `priority`, default its own), measured from `since` (default:
    when it opened; a raise passes the moment of the raise, see sla.clock_start)."""
    return sla.due_times(
        opened_at=since or case.created_at,
        priority=case.priority if priority is None else priority,
        targets=sla_targets(district_policy(case.school.district_id)),
        hours=sla.SchoolHours.of(case.school),
    )


def cases_overdue(*, now: datetime | None = None):
    """Open cases with a deadline passed and unmet (the "overdue" queue's base query)."""
    now = now or timezone.now()
    return Case.objects.filter(status__in=OPEN_STATUSES, merged_into__isnull=True).filter(
        Q(acknowledge_due_at__lt=now, acknowledged_at__isnull=True)
        | Q(first_response_due_at__lt=now, first_response_at__isnull=True)
    )


def escalation_recipients(case: Case) -> list:
    """The school's principals; the district admins where the school has none."""
    principals = [
        membership.user
        for membership in Membership.objects.filter(
            school_id=case.school_id, role=Role.PRINCIPAL, user__is_active=True
        ).select_related("user")
    ]
    if principals:
        return principals
    return [
        membership.user
        for membership in DistrictMembership.objects.filter(
            district_id=case.school.district_id, role=Role.DISTRICT_ADMIN, user__is_active=True
        ).select_related("user")
    ]


def case_escalate_missed(*, case: Case, deadline: str, now: datetime) -> bool:
    """Flag one missed deadline and escalate it, once (the flag is a conditional update)."""
    field = MISSED_FIELDS[deadline]
    with transaction.atomic():
        claimed = Case.objects.filter(id=case.id, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
        if not claimed:
            return False
        recipients = escalation_recipients(case)
        for user in recipients:
            case_event_record(
                case=case,
                kind=CaseEvent.Kind.ESCALATED,
                to_user_id=user.id,
                reason="sla_missed",
                deadline=deadline,
            )
    rows = notices_claim(
        reason=Notice.Reason.ESCALATION,
        school_id=case.school_id,
        case_id=case.id,
        ref=ESCALATION_STEPS[deadline],
        text=lambda: NoticeText(
            subject=str(ESCALATION_SUBJECT % {"school": case.school.name}),
            text=str(
                ESCALATION_NOTICE[deadline]
                % {"school": case.school.name, "link": case_url(case.id)}
            ),
        ),
        targets=[t for t in targets_for(recipients) if t.via == Notice.Via.EMAIL],
        now=now,
    )
    for row in rows:
        notice_send(notice=row)
    return True


def sla_sweep(*, now: datetime | None = None) -> int:
    """Flag and escalate every missed deadline not yet escalated; returns how many."""
    now = now or timezone.now()
    escalated = 0
    candidates = cases_overdue(now=now).filter(
        Q(acknowledge_missed_at__isnull=True) | Q(first_response_missed_at__isnull=True)
    )
    for case in candidates.select_related("school"):
        for deadline in sla.missed_deadlines(
            now=now,
            acknowledge_due_at=case.acknowledge_due_at,
            acknowledged_at=case.acknowledged_at,
            first_response_due_at=case.first_response_due_at,
            first_response_at=case.first_response_at,
        ):
            if getattr(case, MISSED_FIELDS[deadline]) is None:
                escalated += case_escalate_missed(case=case, deadline=deadline, now=now)
    return escalated
