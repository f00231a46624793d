"""Critical alerts page someone, by the district's policy, whether they came by polling or
by the push API (both go through posts_ingest, which calls `alerts_page`).

- `open_case`: the alert opens a life-safety case at once (as a counselor's escalation
  would, with no actor), and the case's call-down starts after commit.
- `notify_on_call` (the default): each on-call contact of the school gets a notice row per
  channel (SMS and email) with a link to the alert's page, never the post's words; the rows
  are sent after commit and retried by the outbox sweep.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.urls import reverse

from accounts.models import CriticalAlertAction, DistrictPolicy, OnCallContact
from alerts.models import Alert, AlertStatus
from cases.services.notices import (
    AlertPage,
    alert_notices_write,
    notices_send_later,
    staff_link,
)

from .triage import alert_escalate

CRITICAL = "critical"


@transaction.atomic(savepoint=False)
def alerts_page(*, alert_ids: list[int]) -> int:
    """Page for each new critical alert among `alert_ids`; returns how many were paged.
    Call it in the transaction that raised them. A fixed number of queries for the
    notify-on-call policy, however many alerts."""
    alerts = list(
        Alert.objects.filter(id__in=alert_ids, severity=CRITICAL, status=AlertStatus.NEW)
        .select_related("school")
        .order_by("id")
    )
    if not alerts:
        return 0
    actions = dict(
        DistrictPolicy.objects.filter(
            district_id__in={a.school.district_id for a in alerts}
        ).values_list("district_id", "critical_alert_action")
    )
    on_call: dict[int, list] = defaultdict(list)
    for contact in (
        OnCallContact.objects.filter(
            school_id__in={a.school_id for a in alerts}, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("position")
    ):
        on_call[contact.school_id].append(contact.user)
    pages = []
    for alert in alerts:
        action = actions.get(alert.school.district_id, CriticalAlertAction.NOTIFY_ON_CALL)
        if action == CriticalAlertAction.OPEN_CASE:
            alert_escalate(alert=alert, actor=None)
            continue
        pages.append(
            AlertPage(
                school_id=alert.school_id,
                school_name=alert.school.name,
                alert_id=alert.id,
                link=staff_link(reverse("alerts:detail", args=[alert.id])),
                users=tuple(on_call[alert.school_id]),
            )
        )
    if pages:
        notices_send_later(notice_ids=alert_notices_write(pages=pages))
    return len(alerts)
