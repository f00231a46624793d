"""Staff email about new tips and replies: a link that needs login, never tip content."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from accounts.models import Membership, Role
from accounts.public_address import public_url

from ..models import Case, CaseEvent
from .calldown import new_case_notice_is_immediate
from .cases import case_event_record

SUBJECTS = {
    "new_tip": "New tip for {school}",
    "reply": "A tipster answered on a case at {school}",
}
BODY = (
    "There is something new on a case at {school}.\n\n"
    "Sign in to read it: {link}\n\n"
    "For the tipster's privacy this email holds no details of the tip."
)


def case_counselors_email(
    *, case_id: int, reason: str, ref: int, now: datetime | None = None
) -> int:
    """Email the case school's counselors once per (case, reason, ref); returns emails sent.

    A routine new tip outside the school's hours is not emailed: it is recorded as deferred
    and goes out in the morning digest (tipline.services.calldown.digest_cases).

    Safe to run twice: the NOTIFIED event written in the same transaction (under a row lock
    on the case) marks it done.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("school").get(id=case_id)
        done = CaseEvent.objects.filter(
            case=case,
            kind=CaseEvent.Kind.NOTIFIED,
            data__via="email",
            data__reason=reason,
            data__ref=ref,
        )
        if done.exists():
            return 0
        # Outside school hours only life-safety cases wake anyone (they have the call-down);
        # a routine new tip waits for the school's morning digest.
        deferred = (
            reason == "new_tip"
            and settings.TIPLINE_HOLD_ROUTINE_NOTICES_AFTER_HOURS
            and not new_case_notice_is_immediate(case=case, now=now)
        )
        recipients = (
            []
            if deferred
            else list(
                Membership.objects.filter(
                    school_id=case.school_id, role=Role.COUNSELOR, user__is_active=True
                )
                .values_list("user__email", flat=True)
                .order_by("user__email")
            )
        )
        link = public_url(reverse("tipline:case_detail", args=[case.id]))
        school = case.school.name
        messages = [
            EmailMessage(
                subject=SUBJECTS[reason].format(school=school),
                body=BODY.format(school=school, link=link),
                to=[address],
            )
            for address in recipients
        ]
        sent = get_connection().send_messages(messages) if messages else 0
        case_event_record(
            case=case,
            kind=CaseEvent.Kind.NOTIFIED,
            via="email",
            reason=reason,
            ref=ref,
            count=len(recipients),
            **({"deferred_to": "morning_digest"} if deferred else {}),
        )
    return sent or 0
