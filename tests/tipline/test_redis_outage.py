"""With the cache (Redis) down: SMS tips are stored and answered, replays are still refused by
the database, receipt codes still open their thread, and the throttles count in each process
instead of turning everyone away. (The full drill against gunicorn: bench/drill_redis.py.)"""

import contextlib

import pytest

from cases.models import Case
from tests.fixtures import UNREACHABLE_REDIS
from tipline import throttle
from tipline.models import Message, Tip

from .sms_support import inbound_params, post_signed, replies, text
from .web_helpers import receipt_code_from, submit_tip

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


@contextlib.contextmanager
def redis_down(settings):
    working = settings.CACHES
    settings.CACHES = UNREACHABLE_REDIS
    throttle._process_counters.clear()
    try:
        yield
    finally:
        settings.CACHES = working
        throttle._process_counters.clear()


def test_it_stores_and_answers_a_signed_sms_while_redis_is_down(client, settings, caplog):
    with redis_down(settings):
        response = text(client, "there is a gun in a backpack")
    assert response.status_code == 200
    [reply] = replies(response)
    tip = Tip.objects.get()
    assert tip.body == "there is a gun in a backpack"
    assert tip.case.reference in reply
    assert "the database guards replays" in caplog.text


def test_it_refuses_replays_by_the_database_while_redis_is_down(client, settings):
    first, follow_up = inbound_params("only once"), inbound_params("and a follow-up")
    with redis_down(settings):
        assert replies(post_signed(client, first)) != []
        again = post_signed(client, first)
        post_signed(client, follow_up)
        post_signed(client, follow_up)
    assert again.status_code == 200 and replies(again) == []
    assert (Tip.objects.count(), Message.objects.count(), Case.objects.count()) == (1, 1, 1)


def test_it_still_flags_an_sms_flood_while_redis_is_down(client, settings):
    settings.SMS_THREAD_RATE_PER_MINUTE = 2
    with redis_down(settings):
        answered = [replies(text(client, f"text {number}")) for number in range(4)]
    assert [bool(answer) for answer in answered] == [True, False, False, False]
    assert Tip.objects.count() + Message.objects.count() == 4
    assert list(Message.objects.order_by("id").values_list("flagged", flat=True)) == [
        False,
        True,
        True,
    ]


def test_it_opens_the_thread_with_a_good_code_while_redis_is_down(client, personas, settings):
    code = receipt_code_from(submit_tip(client))
    client.cookies.clear()
    with redis_down(settings):
        opened = client.post("/followup/", {"code": code})
        thread = client.get("/followup/thread/")
    assert opened.status_code == 302 and opened["Location"] == "/followup/thread/"
    assert thread.status_code == 200 and "Received" in thread.content.decode()


def test_it_limits_a_guessing_client_in_this_process_while_redis_is_down(
    client, personas, settings, caplog
):
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT = 4
    settings.TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT_UNDER_LOAD = 2
    settings.TIPLINE_GLOBAL_FOLLOWUP_ATTEMPTS_PER_MINUTE = 2
    code = receipt_code_from(submit_tip(client))
    client.cookies.clear()
    with redis_down(settings):
        guesses = [
            client.post("/followup/", {"code": "WRONG"}, REMOTE_ADDR="203.0.113.66").status_code
            for _ in range(6)
        ]
        # Past the global rate in this process: stricter per client, nobody refused for it.
        student = client.post("/followup/", {"code": code}, REMOTE_ADDR="198.51.100.5")
    assert guesses == [200, 200, 429, 429, 429, 429]
    assert student.status_code == 302
    assert "throttle cache unavailable: counting in this process" in caplog.text


def test_it_keeps_web_tips_flowing_and_marked_for_review_while_redis_is_down(
    client, personas, settings
):
    settings.TIPLINE_TIPS_PER_CLIENT = 2
    with redis_down(settings):
        statuses = [submit_tip(client).status_code for _ in range(3)]
        other = submit_tip(client, REMOTE_ADDR="198.51.100.9")
    assert statuses == [200, 200, 429] and other.status_code == 200
    assert list(Tip.objects.values_list("needs_review", flat=True)) == [True, True, True]


def test_it_gives_the_production_redis_cache_short_timeouts():
    from tests.accounts.test_settings import PRODUCTION_ENV, _manage

    script = "from django.conf import settings; print(settings.CACHES['default']['OPTIONS'])"
    result = _manage("shell", "-c", script, env_overrides=PRODUCTION_ENV, drop=("CACHE_URL",))
    assert result.returncode == 0, result.stderr
    assert "'socket_connect_timeout': 1" in result.stdout
    assert "'socket_timeout': 1" in result.stdout
