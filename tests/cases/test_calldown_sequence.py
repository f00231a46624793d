"""The life-safety call-down in-process, with the clock passed in (`now=`)."""

from datetime import timedelta

import pytest
from django.core import mail

from accounts.models import DistrictPolicy, OnCallContact
from cases.models import Category, Notice
from cases.services.calldown import calldown_advance, calldown_sweep
from cases.services.notices import NoticeText, notices_claim, targets_for
from cases.services.workflow import case_acknowledge
from tests.factories import case_factory
from tipline.sms import backends
from tipline.sms.backends import SendFailure

pytestmark = pytest.mark.django_db
WAIT = timedelta(seconds=300)


@pytest.fixture
def on_call(personas):
    backends.outbox.clear()
    for position, (user, number) in enumerate(
        [(personas.counselor_a, "+13035550101"), (personas.principal_a, "+13035550102")], 1
    ):
        user.phone_number = number
        user.save()
        OnCallContact.objects.create(school=personas.school_a, user=user, position=position)
    return personas


def sent(case):
    return list(
        Notice.objects.filter(case=case, reason=Notice.Reason.CALLDOWN)
        .order_by("ref", "via")
        .values_list("ref", "via", "recipient__email", "status")
    )


def test_it_calls_down_the_list_then_the_district_admins(on_call):
    case = case_factory(on_call.school_a, category=Category.WEAPON, body="he has a gun")
    t0 = case.created_at
    assert calldown_advance(case_id=case.id, now=t0) == t0 + WAIT
    assert calldown_advance(case_id=case.id, now=t0 + WAIT / 2) == t0 + WAIT
    assert calldown_advance(case_id=case.id, now=t0 + WAIT / 2) == t0 + WAIT
    assert sent(case) == [
        (0, "email", "alice@example.org", "sent"),
        (0, "sms", "alice@example.org", "sent"),
    ]
    assert calldown_advance(case_id=case.id, now=t0 + WAIT) == t0 + 2 * WAIT
    assert calldown_advance(case_id=case.id, now=t0 + 2 * WAIT) is None
    assert [row[:3] for row in sent(case)][2:] == [
        (1, "email", "paul@example.org"),
        (1, "sms", "paul@example.org"),
        (2, "email", "dana@example.org"),
    ]
    assert [text.to for text in backends.outbox] == ["+13035550101", "+13035550102"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.org",
        "dana@example.org",
        "paul@example.org",
    ]
    for text in [t.body for t in backends.outbox] + [m.body for m in mail.outbox]:
        assert "gun" not in text and "weapon" not in text.lower()
        assert f"https://tips.example.org/staff/cases/{case.id}/" in text
    calldown = Notice.objects.filter(case=case, reason=Notice.Reason.CALLDOWN)
    assert calldown.filter(status=Notice.Status.SENT).count() == 5


def test_it_stops_when_someone_acknowledges(on_call):
    case = case_factory(on_call.school_a, category=Category.SELF_HARM)
    t0 = case.created_at
    calldown_advance(case_id=case.id, now=t0)
    case_acknowledge(case=case, actor=on_call.counselor_a)
    assert calldown_advance(case_id=case.id, now=t0 + 10 * WAIT) is None
    assert {row[0] for row in sent(case)} == {0}


def test_it_waits_the_districts_configured_step(on_call):
    DistrictPolicy.objects.create(district=on_call.school_a.district, calldown_step_seconds=30)
    case = case_factory(on_call.school_a, category=Category.THREAT)
    t0 = case.created_at
    assert calldown_advance(case_id=case.id, now=t0) == t0 + timedelta(seconds=30)


def test_it_resends_a_step_whose_worker_died_before_sending_and_only_once(on_call, settings):
    settings.NOTICE_CLAIM_LEASE_SECONDS = 60
    case = case_factory(on_call.school_a, category=Category.WEAPON)
    t0 = case.created_at
    # A worker claimed step 0 and died before the provider call.
    notices_claim(
        reason=Notice.Reason.CALLDOWN,
        school_id=case.school_id,
        case_id=case.id,
        ref=0,
        text=NoticeText("LIFE SAFETY", f"https://tips.example.org/staff/cases/{case.id}/"),
        targets=targets_for([on_call.counselor_a]),
        now=t0,
    )
    calldown_advance(case_id=case.id, now=t0 + timedelta(seconds=30))  # lease still held
    assert backends.outbox == [] and mail.outbox == []
    calldown_advance(case_id=case.id, now=t0 + timedelta(seconds=61))
    calldown_advance(case_id=case.id, now=t0 + timedelta(seconds=62))
    assert [t.to for t in backends.outbox] == ["+13035550101"] and len(mail.outbox) == 1
    assert {row[3] for row in sent(case)} == {"sent"}
    calldown = Notice.objects.filter(reason=Notice.Reason.CALLDOWN)
    assert set(calldown.values_list("attempts", flat=True)) == {2}


class RefusingBackend(backends.BaseSmsBackend):
    def send(self, *, to, body, status_callback, from_number=""):
        raise SendFailure(reason="Twilio 30003", code=30003, transient=True, opted_out=False)


def test_it_records_a_failed_attempt_and_moves_on(on_call):
    case = case_factory(on_call.school_a, category=Category.WEAPON)
    t0 = case.created_at
    calldown_advance(case_id=case.id, now=t0, backend=RefusingBackend())
    sms = Notice.objects.get(case=case, reason=Notice.Reason.CALLDOWN, via="sms")
    assert sms.status == "failed" and sms.error == "Twilio 30003" and sms.ref == 0
    calldown_advance(case_id=case.id, now=t0 + WAIT, backend=RefusingBackend())
    assert Notice.objects.filter(case=case, reason=Notice.Reason.CALLDOWN, ref=1).count() == 2


def test_it_sweeps_sequences_whose_countdown_was_lost(on_call):
    case = case_factory(on_call.school_a, category=Category.WEAPON)
    routine = case_factory(on_call.school_a)
    t0 = case.created_at
    assert calldown_sweep(now=t0) == 1
    assert calldown_sweep(now=t0 + WAIT) == 1
    assert {row[0] for row in sent(case)} == {0, 1}
    assert not Notice.objects.filter(case=routine, reason=Notice.Reason.CALLDOWN).exists()
