"""Retention: erase the content of cases closed longer ago than the district allows.

What goes: tip text (body, who, where, when, contact details), messages, internal notes, the
outcome summary, the priority reason and every reason staff gave for a change (reopen,
assignment, priority), attachments (rows and encrypted files), copies of escalated social
posts, and the phone numbers of SMS threads left with nothing unexpired. What stays, for
anonymous statistics: the case row (school, channel, category, priority, status, outcome,
timestamps), its tags, empty tip and message rows (counts by channel and direction) and the
timeline events, which then hold ids and codes only.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import District

from ..attachments import attachment_path
from ..models import Attachment, Case, CaseEvent, CaseNote, CaseStatus, Message, Reporter, Tip
from .cases import case_event_record
from .sla import district_policy

logger = logging.getLogger(__name__)


def cases_expired(*, now: datetime):
    """Closed, not yet purged cases past their district's retention period."""
    expired = Q(pk__in=[])
    for district in District.objects.all():
        cutoff = now - timedelta(days=district_policy(district.id).retention_days)
        expired |= Q(school__district_id=district.id, closed_at__lt=cutoff)
    return Case.objects.filter(expired, status=CaseStatus.CLOSED, purged_at__isnull=True)


def case_purge(*, case_id: int, now: datetime | None = None) -> bool:
    """Erase one case's content; False when it was already purged (or reopened meanwhile)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Case.objects.filter(
            id=case_id, status=CaseStatus.CLOSED, purged_at__isnull=True
        ).update(purged_at=now, outcome_summary="", priority_reason="")
        if not claimed:
            return False
        case = Case.objects.get(id=case_id)
        reporter_ids = set(
            Tip.objects.filter(case=case, reporter__isnull=False).values_list(
                "reporter_id", flat=True
            )
        ) | set(
            Message.objects.filter(case=case, reporter__isnull=False).values_list(
                "reporter_id", flat=True
            )
        )
        tips = Tip.objects.filter(case=case).update(
            body="", who_involved="", location="", when_happened="", contact_details=""
        )
        messages = Message.objects.filter(case=case).update(body="")
        notes = CaseNote.objects.filter(case=case).update(body="")
        reasons = (
            CaseEvent.objects.filter(case=case).exclude(staff_reason="").update(staff_reason="")
        )
        attachments = list(Attachment.objects.filter(case=case))
        Attachment.objects.filter(id__in=[a.id for a in attachments]).delete()
        numbers = _reporter_numbers_erase(reporter_ids)
        posts = _social_post_copies_erase(case)
        case_event_record(
            case=case,
            kind=CaseEvent.Kind.PURGED,
            tips=tips,
            messages=messages,
            notes=notes,
            staff_reasons=reasons,
            attachments=len(attachments),
            phone_numbers=numbers,
            social_posts=posts,
        )
    # Files go after the commit: a rolled-back purge must not lose a kept case's files.
    for attachment in attachments:
        try:
            attachment_path(attachment).unlink(missing_ok=True)
        except OSError:
            logger.exception("could not erase an attachment file", extra={"case_id": case_id})
    return True


# What an escalated post's timeline entry may keep once its case is purged: no words.
SOCIAL_POST_KEPT_KEYS = (
    "source",
    "alert_id",
    "post_id",
    "source_name",
    "severity",
    "score",
    "categories",
    "opened_case",
)


def _social_post_copies_erase(case: Case) -> int:
    """Escalated social posts are copied into the timeline (tipline cannot read alerts);
    their text, author, link and matched phrases go with the rest of the case's content."""
    erased = 0
    events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ESCALATED)
    for event in events.filter(data__source="social_post"):
        kept = {key: event.data[key] for key in SOCIAL_POST_KEPT_KEYS if key in event.data}
        CaseEvent.objects.filter(id=event.id).update(data=kept)
        erased += 1
    return erased


def _reporter_numbers_erase(reporter_ids: set[int]) -> int:
    """Erase the phone number of threads with nothing left on a case that is not purged."""
    if not reporter_ids:
        return 0
    still_needed = set(
        Tip.objects.filter(reporter_id__in=reporter_ids, case__purged_at__isnull=True).values_list(
            "reporter_id", flat=True
        )
    ) | set(
        Message.objects.filter(
            reporter_id__in=reporter_ids, case__purged_at__isnull=True
        ).values_list("reporter_id", flat=True)
    )
    return (
        Reporter.objects.filter(id__in=reporter_ids - still_needed)
        .exclude(phone_number_encrypted="")
        .update(phone_number_encrypted="")
    )


def retention_purge_expired(*, now: datetime | None = None) -> int:
    """Purge every expired case; returns how many were purged by this run."""
    now = now or timezone.now()
    purged = 0
    for case_id in cases_expired(now=now).values_list("id", flat=True):
        purged += case_purge(case_id=case_id, now=now)
    return purged
