"""'Press 1 to be connected': the school's on-call list rings one number at a time, in its
order, during the school's hours, showing the tip line's number and never the caller's;
outside them the district's 24/7 line, if it has one; when nobody answers, the caller
leaves a message that opens a life-safety case."""

from datetime import time

import pytest
from django.utils import timezone

from accounts.models import DistrictPolicy, OnCallContact
from cases.models import Case, Priority

from .sms_support import SCHOOL_A_NUMBER, TIPSTER
from .voice_support import Caller

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]
COUNSELOR_PHONE, PRINCIPAL_PHONE = "+13035551001", "+13035551002"
CRISIS_LINE = "+18005550199"


def _on_call(personas):
    personas.counselor_a.phone_number = COUNSELOR_PHONE
    personas.counselor_a.save()
    personas.principal_a.phone_number = PRINCIPAL_PHONE
    personas.principal_a.save()
    school = personas.school_a
    OnCallContact.objects.create(school=school, user=personas.principal_a, position=2)
    OnCallContact.objects.create(school=school, user=personas.counselor_a, position=1)


def _school_open(school, open_now: bool) -> None:
    """Hours that contain now (every day, all day) or exclude today (no school today)."""
    today = timezone.now().astimezone(school.tzinfo).isoweekday()
    school.day_starts_at, school.day_ends_at = time(0, 0), time(23, 59, 59, 999999)
    days = "1234567" if open_now else "".join(d for d in "1234567" if int(d) != today)
    school.school_weekdays = days
    school.save()


def _press_1(client):
    caller = Caller(client, SCHOOL_A_NUMBER)
    return caller, caller.press(caller.wait(caller.dial_in()), "1")


def test_it_rings_the_on_call_list_in_order_in_school_hours(client, numbers):
    _on_call(numbers)
    _school_open(numbers.school_a, open_now=True)
    caller, first = _press_1(client)
    assert first.dial["numbers"] == [COUNSELOR_PHONE]  # one at a time, never together
    assert first.dial["callerId"] == SCHOOL_A_NUMBER  # staff see the tip line
    assert TIPSTER not in str(first)
    second = caller.dial_ends(first, "no-answer")
    assert second.dial["numbers"] == [PRINCIPAL_PHONE]
    assert second.dial["callerId"] == SCHOOL_A_NUMBER
    last = caller.dial_ends(second, "busy")
    assert last.dial is None and last.record is not None
    assert "Nobody could take your call" in last.text
    caller.finish_recording(last)
    case = Case.objects.get()
    assert case.priority == Priority.LIFE_SAFETY  # they wanted someone now
    assert case.tips.get().danger_now == "yes"


def test_an_answered_call_ends_there(client, numbers):
    _on_call(numbers)
    _school_open(numbers.school_a, open_now=True)
    caller, first = _press_1(client)
    done = caller.dial_ends(first, "completed")
    assert done.hangup and done.dial is None and done.record is None
    assert Case.objects.count() == 0


def test_outside_hours_it_rings_the_districts_24_7_line(client, numbers):
    _on_call(numbers)
    _school_open(numbers.school_a, open_now=False)
    DistrictPolicy.objects.create(district=numbers.school_a.district, after_hours_line=CRISIS_LINE)
    caller, first = _press_1(client)
    assert first.dial["numbers"] == [CRISIS_LINE]
    assert first.dial["callerId"] == SCHOOL_A_NUMBER
    assert "crisis line" in first.text
    after = caller.dial_ends(first, "no-answer")
    assert after.record is not None


def test_outside_hours_without_a_24_7_line_the_caller_leaves_a_message(client, numbers):
    _on_call(numbers)
    _school_open(numbers.school_a, open_now=False)
    _caller, answer = _press_1(client)
    assert answer.dial is None and answer.record is not None
    assert "urgent=1" in answer.record["action"]


def test_on_call_contacts_without_a_mobile_number_are_skipped(client, numbers):
    _on_call(numbers)
    numbers.counselor_a.phone_number = ""
    numbers.counselor_a.save()
    _school_open(numbers.school_a, open_now=True)
    _caller, first = _press_1(client)
    assert first.dial["numbers"] == [PRINCIPAL_PHONE]
