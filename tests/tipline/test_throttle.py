"""Floods and guessing: per-client limits, a global rate, never a dropped tip."""

import pytest

from cases.models import Case
from tests.fixtures import UNREACHABLE_REDIS
from tipline.models import Tip

from .web_helpers import submit_tip

pytestmark = pytest.mark.django_db


def test_it_limits_tips_per_client_with_a_clear_message(client, personas, settings):
    settings.TIPLINE_TIPS_PER_CLIENT = 2
    assert submit_tip(client).status_code == 200
    assert submit_tip(client).status_code == 200
    blocked = submit_tip(client, body="third")
    assert blocked.status_code == 429
    assert "wait about 10 minutes" in blocked.content.decode()
    # What they wrote is still in the form, so nothing is lost by waiting.
    assert "third" in blocked.content.decode()
    assert Tip.objects.count() == 2
    other = submit_tip(client, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_it_marks_tips_past_the_global_rate_for_review_but_keeps_them(client, personas, settings):
    settings.TIPLINE_GLOBAL_TIPS_PER_MINUTE = 2
    for number in range(4):
        response = submit_tip(client, REMOTE_ADDR=f"203.0.113.{number}")
        assert response.status_code == 200
    assert Tip.objects.count() == 4
    assert list(Tip.objects.order_by("id").values_list("needs_review", flat=True)) == [
        False,
        False,
        True,
        True,
    ]
    assert Case.objects.filter(needs_review=True).count() == 2


def test_it_throttles_code_guessing_per_client(client, personas, settings):
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT = 3
    for _ in range(3):
        assert client.post("/followup/", {"code": "AAAA-BBBB-CCCC-DDDD"}).status_code == 200
    blocked = client.post("/followup/", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert blocked.status_code == 429
    assert "Too many tries" in blocked.content.decode()


def test_it_slows_code_guessing_globally_by_tightening_each_client(client, personas, settings):
    settings.TIPLINE_GLOBAL_FOLLOWUP_ATTEMPTS_PER_MINUTE = 3
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT_UNDER_LOAD = 1
    for number in range(3):
        client.post("/followup/", {"code": "x"}, REMOTE_ADDR=f"192.0.2.{number}")
    assert client.post("/followup/", {"code": "x"}, REMOTE_ADDR="192.0.2.99").status_code == 200
    blocked = client.post("/followup/", {"code": "x"}, REMOTE_ADDR="192.0.2.99")
    assert blocked.status_code == 429


def test_it_refuses_even_the_right_code_once_throttled(client, personas, settings):
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT = 1
    code = submit_tip(client).context["receipt_code"]
    client.post("/followup/", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert client.post("/followup/", {"code": code}).status_code == 429


def test_it_keeps_a_tip_when_the_throttle_cache_is_down(client, personas, settings, caplog):
    """Redis down must not cost a tip: stored, marked for review, and said so in the log."""
    working_caches = settings.CACHES
    settings.CACHES = UNREACHABLE_REDIS
    try:
        response = submit_tip(client, body="a tip during a cache outage")
    finally:
        settings.CACHES = working_caches  # the shared fixtures clear the cache afterwards
    assert response.status_code == 200
    tip = Tip.objects.get()
    assert tip.body == "a tip during a cache outage"
    assert tip.needs_review and Case.objects.get().needs_review
    assert "throttle cache unavailable" in caplog.text
