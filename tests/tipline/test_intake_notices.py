"""Every intake channel tells the counselors the same way: an SMS tip or an SMS answer leaves
a notice row and an email after commit, exactly as a web tip or a web answer does."""

import pytest
from django.core import mail

from cases.models import Notice
from tipline.forms import submission_token_new
from tipline.models import Reporter
from tipline.services.web import web_followup_reply

from .sms_support import text
from .web_helpers import receipt_code_from, submit_tip

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


def _notices():
    return list(
        Notice.objects.order_by("id").values_list("reason", "via", "recipient__email", "status")
    )


def test_a_web_tip_and_an_sms_tip_notify_the_counselors_alike(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_tip(client)
    with django_capture_on_commit_callbacks(execute=True):
        text(client, "someone is selling vapes in the bathroom")
    assert _notices() == [
        ("new_tip", "email", "alice@example.org", "sent"),
        ("new_tip", "email", "alice@example.org", "sent"),
    ]
    assert [m.subject for m in mail.outbox] == ["New tip for Lincoln High"] * 2
    for email in mail.outbox:
        assert "vapes" not in email.body and "/staff/cases/" in email.body


def test_an_answer_notifies_by_either_channel(client, personas, django_capture_on_commit_callbacks):
    receipt = receipt_code_from(submit_tip(client))
    text(client, "first text")
    mail.outbox.clear()
    web_reporter = Reporter.objects.get(channel="web")
    with django_capture_on_commit_callbacks(execute=True):
        web_followup_reply(
            reporter=web_reporter, body="more details", submission_token=submission_token_new()
        )
    with django_capture_on_commit_callbacks(execute=True):
        text(client, "and one more thing")
    replies = Notice.objects.filter(reason=Notice.Reason.REPLY).order_by("id")
    assert [(n.via, n.status, n.ref > 0) for n in replies] == [("email", "sent", True)] * 2
    assert [m.subject for m in mail.outbox] == ["A tipster answered on a case at Lincoln High"] * 2
    assert receipt  # the web tipster's code was shown once


def test_texts_of_a_flood_notify_nobody(client, personas, settings):
    settings.SMS_THREAD_RATE_PER_MINUTE = 1
    text(client, "first text")
    text(client, "spam")
    text(client, "spam again")
    assert Notice.objects.filter(reason=Notice.Reason.REPLY).count() == 0
