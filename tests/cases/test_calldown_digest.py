"""Outside school hours only life-safety notices go out; the rest wait for the morning."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from cases.models import Case, Category, Notice
from cases.services.calldown import digest_send
from cases.services.notices import (
    case_news_notices_write,
    new_case_notice_is_immediate,
    notices_send,
)
from tests.factories import case_factory

pytestmark = pytest.mark.django_db
# Lincoln High runs 07:30-16:00 America/Denver (UTC-6 in May), Monday to Friday.
SATURDAY_NIGHT = datetime(2026, 5, 16, 4, 0, tzinfo=UTC)  # Friday 22:00 local
MONDAY_EARLY = datetime(2026, 5, 18, 12, 0, tzinfo=UTC)  # 06:00 local
MONDAY_MORNING = datetime(2026, 5, 18, 13, 45, tzinfo=UTC)  # 07:45 local


def _opened_at(case, when):
    Case.objects.filter(id=case.id).update(created_at=when)
    return case


def test_it_holds_routine_notices_outside_school_hours(personas):
    routine = case_factory(personas.school_a)
    life_safety = case_factory(personas.school_a, category=Category.SELF_HARM)
    assert new_case_notice_is_immediate(case=routine, now=MONDAY_MORNING)
    assert not new_case_notice_is_immediate(case=routine, now=SATURDAY_NIGHT)
    assert new_case_notice_is_immediate(case=life_safety, now=SATURDAY_NIGHT)


def test_it_sends_one_morning_digest_of_the_weekends_cases(personas):
    _opened_at(case_factory(personas.school_a, body="weekend secret"), SATURDAY_NIGHT)
    _opened_at(case_factory(personas.school_a), MONDAY_EARLY)
    _opened_at(case_factory(personas.school_a, category=Category.WEAPON), SATURDAY_NIGHT)
    _opened_at(case_factory(personas.school_b), SATURDAY_NIGHT)
    assert digest_send(now=MONDAY_EARLY) == 0  # school has not started
    assert digest_send(now=MONDAY_MORNING) == 2  # Alice at A, Bob at B
    assert digest_send(now=MONDAY_MORNING) == 0
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"alice@example.org", "bob@example.org"}
    alice = by_recipient["alice@example.org"]
    assert alice.subject.startswith("Tip line: 2 new cases at Lincoln High")
    assert "weekend secret" not in alice.body and "/staff/cases/" in alice.body
    assert Notice.objects.filter(reason=Notice.Reason.DIGEST, status="sent").count() == 2


def _news_at(case, when) -> list[int]:
    """The new-tip notice rows of `case` as if it had opened at `when` (the factory wrote
    them at the real time: they are written again here with the clock passed in)."""
    Notice.objects.filter(case=case).delete()
    return case_news_notices_write(case=case, reason=Notice.Reason.NEW_TIP, now=when)


def test_it_holds_a_routine_tip_email_for_the_digest_after_hours(personas, settings):
    settings.TIPLINE_HOLD_ROUTINE_NOTICES_AFTER_HOURS = True
    routine = case_factory(personas.school_a)
    assert _news_at(routine, SATURDAY_NIGHT) == []
    held = Notice.objects.get(case=routine)
    assert (held.status, held.recipient, held.via) == ("held", personas.counselor_a, "email")
    assert mail.outbox == []

    other = case_factory(personas.school_a)
    assert notices_send(notice_ids=_news_at(other, MONDAY_MORNING)) == 1
    assert "sign in" in mail.outbox[0].body.lower()


def test_it_emails_about_a_life_safety_tip_at_any_hour(personas, settings):
    settings.TIPLINE_HOLD_ROUTINE_NOTICES_AFTER_HOURS = True
    life_safety = case_factory(personas.school_a, category=Category.SELF_HARM)
    assert notices_send(notice_ids=_news_at(life_safety, SATURDAY_NIGHT)) == 1
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
