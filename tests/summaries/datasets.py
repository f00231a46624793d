"""Small case sets with hand-computed answers for the summary tests."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cases.models import Outcome, Priority
from tests.factories import case_factory
from tipline.models import Message, MessageDirection

DENVER = ZoneInfo("America/Denver")


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=DENVER)


def message_make(case, direction, at) -> Message:
    return Message.objects.create(
        case=case, direction=direction, channel="web", body="x", created_at=at
    )


def march_dataset(school, other_school):
    """Six cases in March 2025 (Denver) at `school`, two in February, noise elsewhere.

    March cases (created at; ack after; first response after; resolved after):
      c1 1 Mar 09:00 self_harm web  P1  ack 10 min (due 15)  resp 1 h (due 2 h)  resolved 2 d
      c2 5 Mar 12:00 bullying  sms  P3  ack 30 min (due 15)  resp 5 h (due 4 h)
      c3 10 Mar 08:00 threat   web  P1  ack 20 min (due 30)  -                   outcome false
      c4 20 Mar 15:00 bullying web  P3  ack 60 min (due 2 h) resp 3 h (due 4 h)   resolved 4 d
      c5 31 Mar 23:30 other    sms  P2  (local last day of March: belongs to March)
      c6 15 Mar 10:00 fight    web  P3  merged into c4 (a duplicate)
    """
    P = Priority
    minute, hour, day = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
    t1 = local(2025, 3, 1, 9)
    c1 = case_factory(
        school,
        created_at=t1,
        category="self_harm",
        priority=P.LIFE_SAFETY,
        acknowledged_at=t1 + 10 * minute,
        acknowledge_due_at=t1 + 15 * minute,
        first_response_at=t1 + hour,
        first_response_due_at=t1 + 2 * hour,
        resolved_at=t1 + 2 * day,
        outcome=Outcome.WELFARE_CHECK,
        status="resolved",
    )
    t2 = local(2025, 3, 5, 12)
    c2 = case_factory(
        school,
        created_at=t2,
        category="bullying",
        channel="sms",
        priority=P.ROUTINE,
        acknowledged_at=t2 + 30 * minute,
        acknowledge_due_at=t2 + 15 * minute,
        first_response_at=t2 + 5 * hour,
        first_response_due_at=t2 + 4 * hour,
    )
    t3 = local(2025, 3, 10, 8)
    c3 = case_factory(
        school,
        created_at=t3,
        category="threat",
        priority=P.LIFE_SAFETY,
        acknowledged_at=t3 + 20 * minute,
        acknowledge_due_at=t3 + 30 * minute,
        outcome=Outcome.FALSE_REPORT,
        status="closed",
    )
    t4 = local(2025, 3, 20, 15)
    c4 = case_factory(
        school,
        created_at=t4,
        category="bullying",
        priority=P.ROUTINE,
        acknowledged_at=t4 + 60 * minute,
        acknowledge_due_at=t4 + 2 * hour,
        first_response_at=t4 + 3 * hour,
        first_response_due_at=t4 + 4 * hour,
        resolved_at=t4 + 4 * day,
        outcome=Outcome.COUNSELING_REFERRAL,
        status="resolved",
    )
    c5 = case_factory(
        school,
        created_at=local(2025, 3, 31, 23, 30),
        channel="sms",
        priority=P.URGENT,
        category="other",
    )
    c6 = case_factory(school, created_at=local(2025, 3, 15, 10), category="fight", merged_into=c4)
    # Dialogue: staff wrote on c1, c2, c4; the tipster answered after it on c1 and c4 only
    # (on c2 the tipster wrote before staff did, which is not an answer).
    message_make(c1, MessageDirection.TO_REPORTER, t1 + hour)
    message_make(c1, MessageDirection.FROM_REPORTER, t1 + 2 * hour)
    message_make(c2, MessageDirection.FROM_REPORTER, t2 + hour)
    message_make(c2, MessageDirection.TO_REPORTER, t2 + 5 * hour)
    message_make(c4, MessageDirection.TO_REPORTER, t4 + 3 * hour)
    message_make(c4, MessageDirection.FROM_REPORTER, t4 + 4 * hour)
    # February (the previous period): two cases, one at 23:59 local on 28 Feb.
    case_factory(school, created_at=local(2025, 2, 10, 9), category="bullying")
    case_factory(
        school, created_at=local(2025, 2, 28, 23, 59), category="weapon", priority=P.LIFE_SAFETY
    )
    # Not March: 1 April 00:10 local (06:10 UTC), and 1 March 05:00 UTC = 28 Feb 22:00 local
    # would be February; another school's March case must never appear.
    case_factory(school, created_at=local(2025, 4, 1, 0, 10), category="other")
    case_factory(
        other_school, created_at=local(2025, 3, 12, 12), category="threat", priority=P.LIFE_SAFETY
    )
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5, "c6": c6}
