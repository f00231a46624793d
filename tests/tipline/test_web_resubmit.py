"""A tip form posted again (refresh, Back, double click, a retry after a timeout) is stored
once and shows the same receipt, to the browser holding the form's token and nobody else."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from tipline.models import Case, OutboundNotice, Tip, WebSubmission
from tipline.services.submissions import submissions_expire
from tipline.views import RECEIPT_COOKIE

from .test_web_privacy import _all_text_in_database
from .web_helpers import (
    form_token,
    tip_payload,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db
FORM = "/s/lincoln-high/"


@pytest.fixture
def filled(client, personas):
    """The tip form as a browser holds it: rendered (with its token), then filled in."""
    return {**tip_payload(), "submission_token": form_token(client.get(FORM))}


def _code(client) -> str:
    return client.get("/receipt/").context["receipt_code"]


def test_it_redirects_to_the_receipt_and_a_refresh_stores_nothing(client, filled):
    response = client.post(FORM, filled)
    assert response.status_code == 303 and response["Location"] == "/receipt/"
    first = client.get("/receipt/")
    refreshed = client.get("/receipt/")
    assert first.context["receipt_code"] == refreshed.context["receipt_code"]
    assert "no-store" in first["Cache-Control"]
    assert Tip.objects.count() == Case.objects.count() == 1


def test_it_stores_a_form_posted_twice_once_with_one_email(
    client, filled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(FORM, filled)
        second = client.post(FORM, filled)
    assert first.status_code == second.status_code == 303
    counts = (Case.objects.count(), Tip.objects.count(), OutboundNotice.objects.count())
    assert counts == (1, 1, 1)
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]


def test_it_shows_the_same_receipt_after_back_and_resubmit(client, filled):
    client.post(FORM, filled)
    code = _code(client)
    resubmitted = client.post(FORM, filled, follow=True)
    assert resubmitted.context["receipt_code"] == code
    assert Tip.objects.count() == 1


def test_it_gives_the_code_to_a_retry_whose_first_answer_was_lost(client, filled):
    client.post(FORM, filled)
    code = _code(client)
    del client.cookies[RECEIPT_COOKIE]  # the first answer never reached the browser
    retry = client.post(FORM, filled, follow=True)
    assert retry.context["receipt_code"] == code
    assert Tip.objects.count() == 1


def test_it_never_shows_the_code_to_another_browser(client, filled):
    client.post(FORM, filled)
    code = _code(client)
    stranger = Client()
    assert code not in stranger.get("/receipt/").content.decode()
    stranger.cookies[RECEIPT_COOKIE] = client.cookies[RECEIPT_COOKIE].value[:-4] + "AAAA"
    assert code not in stranger.get("/receipt/").content.decode()
    # The same words under another token are another tip, with a code of its own.
    other = {**filled, "submission_token": form_token(stranger.get(FORM))}
    theirs = stranger.post(FORM, other, follow=True).context["receipt_code"]
    assert theirs != code and Tip.objects.count() == 2


def test_it_stops_showing_the_code_once_saved(client, filled):
    client.post(FORM, filled)
    code = _code(client)
    done = client.post("/receipt/saved/", {"saved": "yes"})
    assert done.cookies[RECEIPT_COOKIE]["max-age"] == 0
    assert WebSubmission.objects.get().receipt_sealed == ""
    resubmitted = client.post(FORM, filled, follow=True)
    html = resubmitted.content.decode()
    assert code not in html and "received once" in html
    assert Tip.objects.count() == 1


def test_it_forgets_the_code_after_the_replay_window_and_the_token_later(client, filled, settings):
    client.post(FORM, filled)
    sent_at = WebSubmission.objects.get().created_at
    replay = timedelta(seconds=settings.TIPLINE_RECEIPT_REPLAY_SECONDS)
    WebSubmission.objects.update(created_at=sent_at - replay)
    assert "receipt_code" not in client.get("/receipt/").context
    assert submissions_expire() == 0
    assert WebSubmission.objects.get().receipt_sealed == ""
    day = timedelta(hours=settings.TIPLINE_SUBMISSION_TOKEN_HOURS)
    WebSubmission.objects.update(created_at=sent_at - day - timedelta(seconds=1))
    assert submissions_expire() == 1 and not WebSubmission.objects.exists()


def test_it_stores_an_edited_form_as_a_new_tip(client, filled):
    client.post(FORM, filled)
    client.post(FORM, {**filled, "body": filled["body"] + " Also behind the gym."})
    assert Tip.objects.count() == 2


def test_it_takes_a_tip_from_a_form_without_a_token(client, personas):
    for token in ("", "not-one-of-ours"):
        response = client.post(FORM, {**tip_payload(), "submission_token": token}, follow=True)
        assert response.context["receipt_code"]
    assert Tip.objects.count() == 2


def test_it_gives_a_throttled_resubmission_its_receipt(client, filled, settings):
    settings.TIPLINE_TIPS_PER_CLIENT = 1
    client.post(FORM, filled)
    code = _code(client)
    assert client.post(FORM, filled, follow=True).context["receipt_code"] == code
    token = form_token(client.get(FORM))
    another = {**tip_payload(body="Another thing."), "submission_token": token}
    assert client.post(FORM, another).status_code == 429
    assert Tip.objects.count() == 1


def test_it_keeps_only_a_digest_of_the_token_and_the_code_sealed(client, filled):
    client.post(FORM, filled)
    code = _code(client)
    cookie = client.cookies[RECEIPT_COOKIE]
    assert cookie["path"] == "/receipt/" and cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["max-age"] == "" and not cookie["expires"]  # gone when the browser closes
    stored = _all_text_in_database()
    token = filled["submission_token"]
    for secret in (token, code, code.replace("-", "")):
        assert secret not in stored and secret not in cookie.value
    assert len(WebSubmission.objects.get().token_digest) == 64


def test_it_says_the_tip_was_received_once_in_spanish(client, filled):
    client.post(FORM, filled)
    client.post("/receipt/saved/", {"saved": "yes"})
    html = client.post(FORM, filled, follow=True, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "se recibió una vez" in html and "Consultar mi aviso" in html
