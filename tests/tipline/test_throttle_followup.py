"""/followup/ under attack: one client hammering, or many guessing at once, never turns a
student with a good receipt code away."""

import pytest
from django.core.cache import cache

from tipline import throttle
from tipline.models import Tip

from .web_helpers import (
    receipt_code_from,
    submit_tip,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db

WRONG = "AAAA-BBBB-CCCC-DDDD"


def attempt(client, code: str, address: str):
    return client.post("/followup/", {"code": code}, REMOTE_ADDR=address)


@pytest.fixture
def code(client, personas):
    code = receipt_code_from(submit_tip(client, REMOTE_ADDR="198.51.100.200"))
    client.cookies.clear()
    return code


def test_it_lets_a_good_code_in_after_one_client_hammered_past_its_limit(client, code, settings):
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT = 10
    settings.TIPLINE_GLOBAL_FOLLOWUP_ATTEMPTS_PER_MINUTE = 30
    statuses = [attempt(client, WRONG, "203.0.113.66").status_code for _ in range(120)]
    assert statuses.count(200) == 10 and statuses.count(429) == 110
    # Only the ten tries the client was allowed spent the global budget.
    assert cache.get(throttle._key("followup:global", 60)) == 10
    assert attempt(client, code, "198.51.100.5").status_code == 302


def test_it_tightens_the_client_limit_past_the_global_rate_and_refuses_no_one_for_it(
    client, code, settings
):
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT = 10
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT_UNDER_LOAD = 2
    settings.TIPLINE_GLOBAL_FOLLOWUP_ATTEMPTS_PER_MINUTE = 5
    # Many addresses guessing at once push the global rate past its limit...
    for number in range(8):
        assert attempt(client, WRONG, f"203.0.113.{number}").status_code == 200
    # ...after which each client has two tries, not ten, and a good code still opens.
    assert attempt(client, WRONG, "198.51.100.5").status_code == 200
    assert attempt(client, code, "198.51.100.5").status_code == 302
    client.cookies.clear()
    assert attempt(client, WRONG, "198.51.100.6").status_code == 200
    assert attempt(client, WRONG, "198.51.100.6").status_code == 200
    assert attempt(client, code, "198.51.100.6").status_code == 429


def test_it_keeps_the_usual_client_limit_while_the_global_rate_is_quiet(client, code, settings):
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT = 4
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT_UNDER_LOAD = 1
    for _ in range(3):
        assert attempt(client, WRONG, "198.51.100.7").status_code == 200
    assert attempt(client, code, "198.51.100.7").status_code == 302


def test_it_does_not_spend_the_tip_rate_on_refused_tips(client, personas, settings):
    settings.TIPLINE_TIPS_PER_CLIENT = 1
    settings.TIPLINE_GLOBAL_TIPS_PER_MINUTE = 3
    for _ in range(5):
        submit_tip(client, REMOTE_ADDR="203.0.113.66")
    assert cache.get(throttle._key("tip:global", 60)) == 1
    response = submit_tip(client, REMOTE_ADDR="198.51.100.5")
    assert response.status_code == 200
    assert not Tip.objects.order_by("-id").first().needs_review
