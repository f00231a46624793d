"""Retention: erase the content of cases closed longer ago than the district allows.

What goes here, at once and in one transaction: the case's own encrypted texts (outcome
summary, priority reason) and every encrypted text on every row that points at the case,
whatever app it belongs to (tips' words, messages, internal notes, the reasons staff gave
for a change, file names), found through Case._meta.related_objects as a merge finds them,
so a model added later is erased without this module naming it. What the intakes
keep beside their rows goes in their own sweeps, which look for purged cases: tipline deletes
the files and the phone numbers of threads left with nothing unexpired
(tipline/retention.py), alerts erases the posts' text (alerts/services/retention.py).

What stays, for anonymous statistics: the case row (school, channel, category, priority,
status, outcome, timestamps), its tags, the emptied rows (counts by channel and direction)
and the timeline events, which hold ids only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.fields import EncryptedTextField
from accounts.models import District
from accounts.policies import district_policy
from cases.models import Case, CaseEvent, CaseStatus

from .events import case_event_record
from .merge import case_foreign_keys


def cases_expired(*, now: datetime):
    """Closed, not yet purged cases past their district's retention period."""
    expired = Q(pk__in=[])
    for district in District.objects.all():
        cutoff = now - timedelta(days=district_policy(district.id).retention_days)
        expired |= Q(school__district_id=district.id, closed_at__lt=cutoff)
    return Case.objects.filter(expired, status=CaseStatus.CLOSED, purged_at__isnull=True)


def _encrypted_fields(model) -> list[str]:
    return [
        field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)
    ]


def _content_erase(field: models.ForeignKey, case: Case) -> int:
    """Blank every encrypted text of the rows of `field`'s model that point at the case;
    returns how many rows held any. (An empty text is stored empty, so SQL can tell.)"""
    names = _encrypted_fields(field.model)
    if not names:
        return 0
    rows = field.model._base_manager.filter(**{field.name: case})
    blank = Q()
    for name in names:
        blank &= Q(**{name: ""})
    return rows.exclude(blank).update(**dict.fromkeys(names, ""))


def case_purge(*, case_id: int, now: datetime | None = None) -> bool:
    """Erase one case's content; False when it was already purged (or reopened meanwhile)."""
    now = now or timezone.now()
    with transaction.atomic():
        # The case's own texts (outcome summary, priority reason) go with the claim.
        claimed = Case.objects.filter(
            id=case_id, status=CaseStatus.CLOSED, purged_at__isnull=True
        ).update(purged_at=now, **dict.fromkeys(_encrypted_fields(Case), ""))
        if not claimed:
            return False
        case = Case.objects.get(id=case_id)
        erased = {
            field.remote_field.get_accessor_name(): _content_erase(field, case)
            # Cases merged into this one keep their own retention clock.
            for field in case_foreign_keys()
            if field.model is not Case and _encrypted_fields(field.model)
        }
        case_event_record(case=case, kind=CaseEvent.Kind.PURGED, **erased)
    return True


def retention_purge_expired(*, now: datetime | None = None) -> int:
    """Purge every expired case; returns how many were purged by this run."""
    now = now or timezone.now()
    purged = 0
    for case_id in cases_expired(now=now).values_list("id", flat=True):
        purged += case_purge(case_id=case_id, now=now)
    return purged
