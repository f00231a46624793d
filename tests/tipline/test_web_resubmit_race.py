"""A double click: two posts of one form at the same moment store one tip (PostgreSQL, two
threads); a follow-up answer posted twice is stored once too."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client

from tipline.models import Case, Message, OutboundNotice, Tip
from tipline.services import web

from .web_helpers import (
    form_token,
    receipt_code_from,
    submit_tip,
    tip_payload,
    web_env,  # noqa: F401
)

FORM = "/s/lincoln-high/"


def _wait_for_a_blocked_insert(deadline_seconds: float = 10) -> None:
    """Until another connection waits on a row lock (the second insert of the same token)."""
    deadline = time.monotonic() + deadline_seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.01)
    raise AssertionError("the second post never waited on the first one's token")


@pytest.mark.django_db(transaction=True)
def test_it_stores_two_simultaneous_posts_of_one_form_once(personas, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the threaded race needs PostgreSQL (DATABASE_URL)")
    payload = {**tip_payload(), "submission_token": form_token(Client().get(FORM))}
    # The first post to claim the token keeps its transaction open until the second post's
    # insert is seen waiting on that row: the two requests overlap for certain.
    claim, first = web.submission_record, threading.Lock()

    def claim_and_hold(**kwargs):
        row = claim(**kwargs)
        if first.acquire(blocking=False):
            _wait_for_a_blocked_insert()
        return row

    monkeypatch.setattr(web, "submission_record", claim_and_hold)
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def post(index):
        try:
            barrier.wait(timeout=10)
            response = Client().post(FORM, payload, follow=True)
            answers[index] = (response.status_code, response.context["receipt_code"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers[0] == answers[1] and answers[0][0] == 200
    counts = (Case.objects.count(), Tip.objects.count(), OutboundNotice.objects.count())
    assert counts == (1, 1, 1)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_it_stores_a_followup_answer_posted_twice_once(
    client, personas, django_capture_on_commit_callbacks
):
    client.post("/followup/", {"code": receipt_code_from(submit_tip(client))})
    token = form_token(client.get("/followup/thread/"))
    answer = {"body": "It was at lunch.", "submission_token": token}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/followup/thread/", answer)
        second = client.post("/followup/thread/", answer)
    assert first["Location"] == second["Location"] == "/followup/thread/"
    assert Message.objects.filter(direction="in").count() == 1
    assert OutboundNotice.objects.filter(reason="reply").count() == 1
    assert len(mail.outbox) == 1
    # The same page with other words is another answer, and is stored.
    client.post("/followup/thread/", {**answer, "body": "And again at 3pm."})
    assert Message.objects.filter(direction="in").count() == 2


@pytest.mark.django_db
def test_it_takes_an_answer_posted_again_over_the_limit_as_stored(client, personas, settings):
    settings.TIPLINE_REPLIES_PER_CLIENT = 1
    client.post("/followup/", {"code": receipt_code_from(submit_tip(client))})
    token = form_token(client.get("/followup/thread/"))
    answer = {"body": "It was at lunch.", "submission_token": token}
    assert client.post("/followup/thread/", answer).status_code == 302
    assert client.post("/followup/thread/", answer).status_code == 302
    other = {"body": "Something else.", "submission_token": token}
    assert client.post("/followup/thread/", other).status_code == 429
    assert Message.objects.filter(direction="in").count() == 1
