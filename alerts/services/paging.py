"""Critical and high alerts reach a person, whether they came by polling or by the push API
(both go through posts_ingest, which calls `alerts_page`).

Critical alerts page someone, by the district's policy:

- `open_case`: the alert opens a life-safety case at once (as a counselor's escalation
  would, with no actor), and the case's call-down starts after commit.
- `notify_on_call` (the default): each on-call contact of the school gets a notice row per
  channel (SMS and email) with a link to the alert's page, never the post's words; the rows
  are sent after commit and retried by the outbox sweep.

High alerts notify the school's counselors: during school hours, an email notice row per
counselor with the same kind of link (no post text), sent after commit through the outbox;
outside them, the rows are written held and the school's morning digest counts the alerts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import CriticalAlertAction, DistrictPolicy, Membership, OnCallContact, Role
from alerts.models import Alert, AlertStatus
from cases import sla_arithmetic as sla
from cases.services.notices import (
    AlertPage,
    alert_notices_write,
    notices_send_later,
    staff_link,
)

from .triage import alert_escalate

CRITICAL = "critical"
HIGH = "high"
PAGED_SEVERITIES = (CRITICAL, HIGH)


@transaction.atomic(savepoint=False)
def alerts_page(*, alert_ids: list[int], now: datetime | None = None) -> int:
    """Page for each new critical or high alert among `alert_ids`; returns how many were
    paged. Call it in the transaction that raised them (`now`: when they were raised). A
    fixed number of queries for the notify-on-call policy, however many alerts."""
    now = now or timezone.now()
    alerts = list(
        Alert.objects.filter(
            id__in=alert_ids, severity__in=PAGED_SEVERITIES, status=AlertStatus.NEW
        )
        .select_related("school")
        .order_by("id")
    )
    if not alerts:
        return 0
    schools = {a.school_id for a in alerts}
    actions = dict(
        DistrictPolicy.objects.filter(
            district_id__in={a.school.district_id for a in alerts}
        ).values_list("district_id", "critical_alert_action")
    )
    on_call: dict[int, list] = defaultdict(list)
    for contact in (
        OnCallContact.objects.filter(school_id__in=schools, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("position")
    ):
        on_call[contact.school_id].append(contact.user)
    counselors: dict[int, list] = defaultdict(list)
    if any(a.severity == HIGH for a in alerts):
        for membership in Membership.objects.filter(
            school_id__in=schools, role=Role.COUNSELOR, user__is_active=True
        ).select_related("user"):
            counselors[membership.school_id].append(membership.user)
    pages = []
    for alert in alerts:
        link = staff_link(reverse("alerts:detail", args=[alert.id]))
        page = AlertPage(
            school_id=alert.school_id,
            school_name=alert.school.name,
            alert_id=alert.id,
            link=link,
            users=tuple(on_call[alert.school_id]),
        )
        if alert.severity == HIGH:
            # Counselors by email in school hours; outside them, the morning digest.
            in_hours = sla.is_school_hours(now, sla.SchoolHours.of(alert.school))
            page = replace(
                page, users=tuple(counselors[alert.school_id]), critical=False, held=not in_hours
            )
        elif actions.get(alert.school.district_id) == CriticalAlertAction.OPEN_CASE:
            alert_escalate(alert=alert, actor=None)
            continue
        pages.append(page)
    if pages:
        notices_send_later(notice_ids=alert_notices_write(pages=pages, now=now))
    return len(alerts)
