"""Retention: content of cases closed past the district's period is erased; counts stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tipline.attachments import CleanUpload, attachment_path, attachment_store
from tipline.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    Channel,
    DistrictPolicy,
    Message,
    Outcome,
    Reporter,
    Tip,
)
from tipline.services.cases import message_from_reporter, tip_create
from tipline.services.retention import retention_purge_expired
from tipline.services.workflow import case_close, case_note_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _sms_case(personas, digest="p1", number="+13035550199"):
    reporter = Reporter.objects.create(
        channel=Channel.SMS, phone_digest=digest, phone_number_encrypted=number, alias=digest
    )
    tip = tip_create(
        school=personas.school_a,
        channel=Channel.SMS,
        category="bullying",
        body="secret words",
        location="gym",
        reporter=reporter,
    )
    case = Case.objects.get(id=tip.case_id)
    message_from_reporter(case=case, reporter=reporter, body="more secrets", channel="sms")
    case_note_add(case=case, actor=personas.counselor_a, body="note text")
    upload = CleanUpload(b"\x89PNG fake", "image/png", "png", "photo.png")
    attachment = attachment_store(case=case, upload=upload, tip=tip)
    return reporter, case, attachment


def _closed(case, actor, days_ago):
    case_close(case=case, outcome=Outcome.UNFOUNDED, summary="closing words", actor=actor)
    Case.objects.filter(id=case.id).update(closed_at=timezone.now() - timedelta(days=days_ago))


def test_it_erases_content_and_keeps_anonymous_counts(personas):
    reporter, case, attachment = _sms_case(personas)
    path = attachment_path(attachment)
    assert path.exists()
    _closed(case, personas.counselor_a, days_ago=366)
    assert retention_purge_expired() == 1
    assert retention_purge_expired() == 0
    case.refresh_from_db()
    assert case.purged_at and case.outcome_summary == "" and case.outcome == Outcome.UNFOUNDED
    tip = Tip.objects.get(case=case)
    assert (tip.body, tip.location, tip.channel, tip.category) == ("", "", "sms", "bullying")
    assert list(Message.objects.filter(case=case).values_list("body", flat=True)) == [""]
    assert list(CaseNote.objects.filter(case=case).values_list("body", flat=True)) == [""]
    assert not Attachment.objects.exists() and not path.exists()
    reporter.refresh_from_db()
    assert reporter.phone_number_encrypted == ""
    event = case.events.get(kind=CaseEvent.Kind.PURGED)
    assert event.data == {
        "tips": 1,
        "messages": 1,
        "notes": 1,
        "staff_reasons": 0,
        "attachments": 1,
        "phone_numbers": 1,
        "social_posts": 0,
    }


def test_it_keeps_cases_within_the_period_and_open_ones(personas):
    _, recent, _ = _sms_case(personas, "p1")
    _closed(recent, personas.counselor_a, days_ago=300)
    _, still_open, _ = _sms_case(personas, "p2", "+13035550198")
    Case.objects.filter(id=still_open.id).update(created_at=timezone.now() - timedelta(days=900))
    assert retention_purge_expired() == 0
    assert Tip.objects.get(case=recent).body == "secret words"


def test_it_follows_the_district_setting(personas):
    DistrictPolicy.objects.create(district=personas.school_a.district, retention_days=30)
    _, case, _ = _sms_case(personas)
    _closed(case, personas.counselor_a, days_ago=31)
    assert retention_purge_expired() == 1


def test_it_keeps_a_number_still_needed_by_an_unexpired_case(personas):
    reporter, old, _ = _sms_case(personas)
    newer = tip_create(
        school=personas.school_a, channel=Channel.SMS, category="fight", body="b", reporter=reporter
    )
    _closed(old, personas.counselor_a, days_ago=400)
    assert retention_purge_expired() == 1
    reporter.refresh_from_db()
    assert reporter.phone_number_encrypted == "+13035550199"
    assert Tip.objects.get(id=newer.id).body == "b"
