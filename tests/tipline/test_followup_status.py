"""The follow-up page says when a counselor has answered, marks replies not seen yet, and
once the tip is closed says what the student can do next, in English and Spanish."""

from datetime import UTC, datetime

import pytest

from cases.models import Case, CaseStatus
from tipline.models import Message
from tipline.services.tips import message_to_reporter

from .web_helpers import receipt_code_from, submit_tip

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client, personas):
    code = receipt_code_from(submit_tip(client))
    client.cookies.clear()
    return code


def _reply(personas, body: str, at: datetime | None = None) -> Message:
    case = Case.objects.get()
    message = message_to_reporter(
        case=case, reporter=case.tips.get().reporter, body=body, author=personas.counselor_a
    )
    if at is not None:
        Message.objects.filter(id=message.id).update(created_at=at)
    return message


def _thread(client, code: str, **headers) -> str:
    client.post("/followup/", {"code": code}, **headers)
    return client.get("/followup/thread/", **headers).content.decode()


def test_it_says_a_counselor_replied_and_marks_the_reply_new_once(client, personas, sent):
    # 05:30 UTC on 2 March is still 1 March at the school (America/Denver).
    _reply(personas, "Which bathroom exactly?", at=datetime(2026, 3, 2, 5, 30, tzinfo=UTC))
    first = _thread(client, sent)
    assert "A counselor replied on March 1, 2026." in first
    assert "<strong>Being reviewed</strong>" in first and "will read it soon" not in first
    assert "answer if you can" in first
    assert "New reply" in first and '<span class="badge text-bg-primary">New</span>' in first
    again = client.get("/followup/thread/").content.decode()
    assert "A counselor replied on March 1, 2026." in again
    assert "New reply" not in again and ">New</span>" not in again


def test_it_counts_several_new_replies(client, personas, sent):
    _reply(personas, "Are you safe?")
    _reply(personas, "Which bathroom?")
    assert "2 new replies" in _thread(client, sent)


def test_it_stays_received_until_a_counselor_writes(client, personas, sent):
    page = _thread(client, sent)
    assert "will read it soon" in page and "A counselor replied" not in page


@pytest.mark.parametrize("status", [CaseStatus.RESOLVED, CaseStatus.CLOSED])
def test_it_says_what_to_do_next_once_the_tip_is_closed(client, personas, sent, status):
    _reply(personas, "Thank you, we have dealt with it.")
    Case.objects.update(status=status, outcome="safety_plan")
    page = _thread(client, sent)
    assert "What you can do now" in page and "<strong>Closed</strong>" in page
    assert 'href="/s/lincoln-high/"' in page and "Send a new tip to Lincoln High" in page
    assert 'href="tel:911"' in page and 'href="tel:988"' in page
    assert "Talk to an adult you trust" in page
    assert "Send my answer" not in page
    assert "A counselor replied on" in page


def test_it_says_it_all_in_spanish(client, personas, sent):
    _reply(personas, "¿Estás bien?", at=datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}
    page = _thread(client, sent, **spanish)
    assert "Un consejero te respondió el 2 de marzo de 2026." in page
    assert "Respuesta nueva" in page and ">Nuevo</span>" in page
    Case.objects.update(status=CaseStatus.CLOSED)
    closed = client.get("/followup/thread/", **spanish).content.decode()
    assert "Qué puedes hacer ahora" in closed and "Envía un nuevo aviso a Lincoln High" in closed
    assert "Habla con un adulto de confianza" in closed
