"""What the follow-up page tells a student about their tip, in plain words.

The case's status alone would say "Received ... a counselor will read it soon" even after a
counselor has written back; so replies count too: a tip with a counselor's reply is being
reviewed whatever its case status, the page says on which day the last reply came, and
replies the student has not seen yet are marked new. A closed tip (resolved or closed) says
what the student can do next, on the page itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseStatus
from tipline.models import Message, MessageDirection

from .services.web import STATUS_EXPLANATIONS, STATUS_WORDS

REPLIED_EXPLANATION = _(
    "A counselor has read your tip and wrote to you. Read it below, and answer if you can."
)


@dataclass(frozen=True)
class FollowupStatus:
    word: Promise
    explanation: Promise
    last_reply_on: date | None  # the day of the counselor's latest message, school time
    new_replies: int  # counselor messages the student had not seen before this page
    closed: bool


def followup_status(*, case: Case, conversation: Sequence[Message]) -> FollowupStatus:
    """`conversation` as loaded before the page marks the counselor's messages read."""
    replies = [
        message for message in conversation if message.direction == MessageDirection.TO_REPORTER
    ]
    new_replies = sum(1 for message in replies if message.read_by_reporter_at is None)
    last_reply_on = (
        timezone.localtime(replies[-1].created_at, case.school.tzinfo).date() if replies else None
    )
    status = case.status
    if replies and status == CaseStatus.NEW:
        status = CaseStatus.TRIAGED  # a counselor has read it: say so
    explanation = STATUS_EXPLANATIONS[status]
    if replies and case.is_open:
        explanation = REPLIED_EXPLANATION
    return FollowupStatus(
        word=STATUS_WORDS[status],
        explanation=explanation,
        last_reply_on=last_reply_on,
        new_replies=new_replies,
        closed=not case.is_open,
    )
