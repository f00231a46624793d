"""Tips taken by staff: a counselor types in what a student said by phone, in person, by
email, or what a partner hotline passed on.

The tip enters the same intake core as the web form and SMS (cases.intake, through
tip_create): priority by category, "in danger now" and the scorer's reading of the words,
the counselors' notices and, for life safety, the call-down. It is a tip of channel "staff"
with who entered it (Tip.entered_by, and the actor of its "tip added" event), how it was
received, and whether the reporter may be contacted (how: Tip.contact_details, encrypted).
No Reporter thread is made: the reporter has no receipt code and no phone thread here; staff
contact them, if they agreed, outside the product. Files go through the same cleaning and
encrypted storage as a tipster's (tipline.attachments).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from accounts import permissions
from accounts.models import School, User
from accounts.permissions import Action
from cases.models import Channel
from cases.services.cases import case_reference_random, case_reference_taken
from cases.services.workflow import CasePermissionError
from tipline.models import ReceivedBy, Tip

from ..attachments import CleanUpload, attachment_store
from .tips import tip_create

# A taken case reference makes staff_tip_enter run its transaction again, this often at most.
REFERENCE_ATTEMPTS = 3


def staff_tip_schools(*, user: User):
    """The schools where `user` may enter a tip: any school they serve (counselor, principal,
    district admin)."""
    return permissions.schools_for(user, Action.VIEW_CASES).order_by("name")


def staff_tip_enter(
    *,
    school: School,
    entered_by: User,
    received_by: str,
    category: str,
    body: str,
    danger_now: str = "",
    who_involved: str = "",
    location: str = "",
    when_happened: str = "",
    may_contact: bool = False,
    contact_details: str = "",
    language: str = "en",
    uploads: Sequence[CleanUpload] = (),
) -> Tip:
    """Store a tip staff took, its files, and open its case: one transaction.

    Raises CasePermissionError when `entered_by` serves no role at `school`. Contact details
    are kept only when the reporter agreed to be contacted.
    """
    if not permissions.can(entered_by, Action.VIEW_CASES, school.id):
        raise CasePermissionError("You do not serve this school.")
    if received_by not in ReceivedBy.values:
        raise ValueError(f"unknown way of receiving a tip: {received_by!r}")
    for attempt in range(1, REFERENCE_ATTEMPTS + 1):
        reference = case_reference_random()
        try:
            with transaction.atomic():
                tip = tip_create(
                    school=school,
                    channel=Channel.STAFF,
                    category=category,
                    body=body,
                    danger_now=danger_now,
                    who_involved=who_involved,
                    location=location,
                    when_happened=when_happened,
                    contact_details=contact_details if may_contact else "",
                    language=language,
                    reference=reference,
                    entered_by=entered_by,
                    received_by=received_by,
                    may_contact=may_contact,
                )
                for upload in uploads:
                    attachment_store(case=tip.case, tip=tip, upload=upload)
                return tip
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS or not case_reference_taken(reference):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")
