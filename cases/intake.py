"""The intake core: what every channel does when a tipster writes, whatever the channel.

tipline's web form and SMS webhook store the tipster's words (Tip, Message) and call these,
inside the same transaction, so every channel opens cases, decides priority and tells staff
the same way:

- `case_open_for_tip` opens the case a new tip starts: priority by rule (category, "in danger
  now"), SLA clocks, tags and timeline; the counselors' notice rows (held for the morning
  digest when a routine tip arrives outside school hours); after commit, their sending and,
  for life safety, the call-down.
- `case_reply_notify` tells the counselors that a tipster answered on a case.

Both read the tipster's words with the harm scorer (cases.text_reading): language of
imminent harm raises the case to life safety and starts the call-down, the category of a tip
that has none (SMS, "Other") is inferred from its text, and the case says why. The reading
only raises: it never lowers the category or the danger answer the tipster chose.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import School
from cases.models import Case, CaseEvent, CaseTag, Category, Notice, Priority, PrioritySource

from .services.cases import PriorityDecision, case_open, priority_for_tip
from .services.notices import case_news_notices_write, notices_send_later
from .services.workflow import case_set_priority
from .text_reading import TextReading, tip_text_read


def priority_for_tip_text(
    *, category: str, danger_now: str = "", reading: TextReading
) -> PriorityDecision:
    """The tipster's rule (category, "in danger now") or the text's, whichever is higher."""
    chosen = priority_for_tip(category=category, danger_now=danger_now)
    if reading.priority is not None and reading.priority < chosen.priority:
        return PriorityDecision(reading.priority, PrioritySource.SCORER, reading.reason)
    return chosen


def tip_is_about_danger(*, category: str, danger_now: str = "", text: str = "") -> bool:
    """Whether a tip would open a life-safety case: a life-safety category, "someone is in
    danger now", or words the scorer reads as imminent harm (the rule case_open_for_tip
    applies). Channels ask it before refusing anything: a limit never turns such a tip away."""
    reading = tip_text_read(text)
    decision = priority_for_tip_text(category=category, danger_now=danger_now, reading=reading)
    return decision.priority == Priority.LIFE_SAFETY


@transaction.atomic(savepoint=False)
def case_open_for_tip(
    *,
    school: School,
    channel: str,
    category: str,
    text: str = "",
    danger_now: str = "",
    needs_review: bool = False,
    reference: str | None = None,
    events: list[CaseEvent] | None = None,
) -> Case:
    """Open the case of a new tip and write its counselors' notice; call it in the
    transaction that stores the tip. `text`: the tipster's words, read by the scorer (a tip
    without a category of its own, `Other`, takes the one its text shows). `reference` and
    `events`: see case_open."""
    reading = tip_text_read(text)
    case = case_open(
        school=school,
        channel=channel,
        category=reading.category if category == Category.OTHER and reading.category else category,
        decision=priority_for_tip_text(category=category, danger_now=danger_now, reading=reading),
        needs_review=needs_review,
        reference=reference,
        events=events,
    )
    if reading.category and reading.category != case.category:
        CaseTag.objects.get_or_create(case=case, category=reading.category)
    notice_ids = case_news_notices_write(case=case, reason=Notice.Reason.NEW_TIP)
    notices_send_later(notice_ids=notice_ids, case_id=case.id)
    return case


def case_reply_read(*, case: Case, text: str) -> Case:
    """Read a tipster's answer on `case`: language of harm above the case's priority raises
    it (life safety starts the call-down) and tags the category it shows. Call it in the
    transaction that stores the answer, before case_reply_notify."""
    reading = tip_text_read(text)
    if reading.category:
        CaseTag.objects.get_or_create(case=case, category=reading.category)
    if reading.priority is None:
        return case
    current = Case.objects.get(id=case.id)  # the version a counselor may just have moved
    if reading.priority >= current.priority:
        return current
    return case_set_priority(
        case=current,
        priority=reading.priority,
        actor=None,
        reason=reading.reason,
        source=PrioritySource.SCORER,
    )


def case_reply_notify(*, case: Case, message_id: int) -> None:
    """Write the counselors' notice that a tipster answered (`message_id`) on `case`, and
    queue it after commit; call it in the transaction that stores the answer."""
    notice_ids = case_news_notices_write(case=case, reason=Notice.Reason.REPLY, ref=message_id)
    notices_send_later(notice_ids=notice_ids, case_id=case.id)
