"""The intake core: what every channel does when a tipster writes, whatever the channel.

tipline's web form and SMS webhook store the tipster's words (Tip, Message) and call these,
inside the same transaction, so every channel opens cases, decides priority and tells staff
the same way:

- `case_open_for_tip` opens the case a new tip starts: priority by rule (category, "in danger
  now"), SLA clocks, tags and timeline; the counselors' notice rows (held for the morning
  digest when a routine tip arrives outside school hours); after commit, their sending and,
  for life safety, the call-down.
- `case_reply_notify` tells the counselors that a tipster answered on a case.

This is the seam where text scoring of tips will plug in: the priority decision is made here
and nowhere else.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import School
from cases.models import Case, CaseEvent, Notice

from .services.cases import case_open, priority_for_tip
from .services.notices import case_news_notices_write, notices_send_later


@transaction.atomic(savepoint=False)
def case_open_for_tip(
    *,
    school: School,
    channel: str,
    category: str,
    danger_now: str = "",
    needs_review: bool = False,
    reference: str | None = None,
    events: list[CaseEvent] | None = None,
) -> Case:
    """Open the case of a new tip and write its counselors' notice; call it in the
    transaction that stores the tip. `reference` and `events`: see case_open."""
    case = case_open(
        school=school,
        channel=channel,
        category=category,
        decision=priority_for_tip(category=category, danger_now=danger_now),
        needs_review=needs_review,
        reference=reference,
        events=events,
    )
    notice_ids = case_news_notices_write(case=case, reason=Notice.Reason.NEW_TIP)
    notices_send_later(notice_ids=notice_ids, case_id=case.id)
    return case


def case_reply_notify(*, case: Case, message_id: int) -> None:
    """Write the counselors' notice that a tipster answered (`message_id`) on `case`, and
    queue it after commit; call it in the transaction that stores the answer."""
    notice_ids = case_news_notices_write(case=case, reason=Notice.Reason.REPLY, ref=message_id)
    notices_send_later(notice_ids=notice_ids, case_id=case.id)
