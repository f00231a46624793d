"""The life-safety call-down in-process, with the clock passed in (`now=`)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import DistrictPolicy, OnCallContact
from cases.models import Category, Notice
from cases.services.calldown import calldown_advance, calldown_sweep
from cases.services.notices import (
    NoticeText,
    SendOutcome,
    notice_send,
    notices_claim,
    targets_for,
)
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


def _claim_step0(case, on_call, now):
    return notices_claim(
        reason=Notice.Reason.CALLDOWN,
        school_id=case.school_id,
        case_id=case.id,
        ref=0,
        text=NoticeText("LIFE SAFETY", f"https://tips.example.org/staff/cases/{case.id}/"),
        targets=targets_for([on_call.counselor_a]),
        now=now,
    )


def test_it_resends_a_step_whose_worker_died_before_sending_and_only_once(on_call, settings):
    settings.NOTICE_CLAIM_LEASE_SECONDS = 60
    case = case_factory(on_call.school_a, category=Category.WEAPON)
    t0 = case.created_at
    # A worker claimed step 0 and died before the provider call.
    _claim_step0(case, on_call, now=t0)
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


def test_a_slow_run_whose_lease_was_taken_over_sends_nothing(on_call):
    case = case_factory(on_call.school_a, category=Category.WEAPON)
    slow_rows = _claim_step0(case, on_call, now=case.created_at)  # run A claims, then stalls
    calldown = Notice.objects.filter(case=case, reason=Notice.Reason.CALLDOWN)
    calldown.update(claimed_until=timezone.now() - timedelta(seconds=1))  # its lease runs out
    calldown_advance(case_id=case.id)  # run B takes the rows over and sends them
    assert [t.to for t in backends.outbox] == ["+13035550101"] and len(mail.outbox) == 1
    outcomes = {notice_send(notice=row) for row in slow_rows}  # run A wakes up
    assert outcomes == {SendOutcome.TAKEN_OVER}
    assert [t.to for t in backends.outbox] == ["+13035550101"] and len(mail.outbox) == 1
    assert set(calldown.values_list("status", flat=True)) == {"sent"}


def test_a_lease_counts_from_the_real_clock_when_the_run_started_earlier(on_call, settings):
    settings.NOTICE_CLAIM_LEASE_SECONDS = 60
    DistrictPolicy.objects.create(district=on_call.school_a.district, calldown_step_seconds=3600)
    case = case_factory(on_call.school_a, category=Category.WEAPON)
    # A sweep that started ten minutes ago reaches this case only now.
    rows = _claim_step0(case, on_call, now=timezone.now() - timedelta(minutes=10))
    assert all(row.claimed_until > timezone.now() + timedelta(seconds=50) for row in rows)
    calldown_sweep()  # a second sweep at once: nothing of it is stale
    assert backends.outbox == [] and mail.outbox == []


def test_an_email_sent_again_after_a_lost_record_keeps_its_message_id(on_call):
    case = case_factory(on_call.school_a, category=Category.WEAPON)
    rows = _claim_step0(case, on_call, now=case.created_at)
    email = next(row for row in rows if row.via == Notice.Via.EMAIL)
    notice_send(notice=email)
    # The worker died after the SMTP hand-off, before recording it: the row is still SENDING.
    Notice.objects.filter(id=email.id).update(
        status=Notice.Status.SENDING, claimed_until=timezone.now() - timedelta(seconds=1)
    )
    calldown_advance(case_id=case.id)
    assert [m.to for m in mail.outbox] == [["alice@example.org"]] * 2
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert ids == {f"<notice-{email.id}@tips.example.org>"}
    assert "Message-ID: <notice-" in mail.outbox[0].message().as_string()


def test_a_sweep_reads_only_the_call_downs_that_may_be_due(on_call):
    cases = [case_factory(on_call.school_a, category=Category.WEAPON) for _ in range(3)]
    t0 = max(case.created_at for case in cases)
    assert calldown_sweep(now=t0) == 3  # step 0 for each
    with CaptureQueriesContext(connection) as queries:
        assert calldown_sweep(now=t0 + WAIT / 2) == 0  # every step waits: no case is read
    assert len(queries) == 2
    # A step whose worker lost its lease is taken over without waiting for the next step.
    stale = Notice.objects.filter(case=cases[0], reason=Notice.Reason.CALLDOWN, via="email")
    stale.update(status=Notice.Status.SENDING, claimed_until=t0)
    calldown_sweep(now=t0 + WAIT / 2)
    assert stale.get().status == Notice.Status.SENT
    assert calldown_sweep(now=t0 + WAIT) == 3  # step 1 for each
    assert all({row[0] for row in sent(case)} == {0, 1} for case in cases)


def test_a_sweep_honours_a_district_wait_shorter_than_the_default(on_call):
    DistrictPolicy.objects.create(district=on_call.school_a.district, calldown_step_seconds=30)
    case = case_factory(on_call.school_a, category=Category.WEAPON)
    t0 = case.created_at
    calldown_sweep(now=t0)
    calldown_sweep(now=t0 + timedelta(seconds=30))
    assert {row[0] for row in sent(case)} == {0, 1}
