"""Staff notices are written in the RECIPIENT's language (User.language, else the site's
default), never in the language of whoever or whatever caused them: a Spanish tip, or a
counselor working in Spanish, gives an English-speaking principal an English text, and a
Spanish-speaking counselor gets Spanish whatever the tipster or the actor used."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import Membership, OnCallContact, Role, User
from cases.intake import case_reply_notify
from cases.models import Case, Category, Notice
from cases.services.calldown import calldown_advance, digest_send
from cases.services.escalation import sla_sweep
from cases.services.notices import AlertPage, alert_notices_write, notices_send
from tests.factories import MembershipFactory, UserFactory, case_factory
from tipline.sms import backends

pytestmark = pytest.mark.django_db
WAIT = timedelta(seconds=300)
MONDAY_MORNING = datetime(2026, 5, 18, 13, 45, tzinfo=UTC)  # 07:45 at Lincoln High
SATURDAY_NIGHT = datetime(2026, 5, 16, 4, 0, tzinfo=UTC)


def _prefers(user, language):
    User.objects.filter(id=user.id).update(language=language)
    user.refresh_from_db()
    return user


@pytest.fixture
def two_counselors(personas):
    """Alice reads Spanish; Erin, a second counselor at Lincoln High, English (no choice
    made: the site's default)."""
    _prefers(personas.counselor_a, "es")
    erin = UserFactory(email="erin@example.org", full_name="Erin Counselor")
    MembershipFactory(user=erin, school=personas.school_a, role=Role.COUNSELOR)
    return personas


def _emails_by_recipient():
    return {message.to[0]: message for message in mail.outbox}


@pytest.mark.parametrize("tipster_language", ["es", "en"])
def test_it_writes_each_counselors_new_tip_email_in_their_own_language(
    two_counselors, tipster_language
):
    # The tipster's request (the web form in their language) is what is active while the
    # intake writes the notice rows.
    with translation.override(tipster_language):
        case = case_factory(two_counselors.school_a, category=Category.BULLYING, body="x")
    ids = list(Notice.objects.filter(case=case).values_list("id", flat=True))
    with translation.override(tipster_language):
        assert notices_send(notice_ids=ids) == 2
    emails = _emails_by_recipient()
    alice, erin = emails["alice@example.org"], emails["erin@example.org"]
    assert alice.subject == "Aviso nuevo para Lincoln High"
    assert "Inicie sesión para leerlo" in alice.body and "Sign in" not in alice.body
    assert erin.subject == "New tip for Lincoln High"
    assert "Sign in to read it" in erin.body and "Inicie" not in erin.body
    for message in (alice, erin):
        assert f"/staff/cases/{case.id}/" in message.body


def test_it_writes_a_tipsters_reply_notice_in_the_counselors_language(two_counselors):
    case = case_factory(two_counselors.school_a, body="x")
    Notice.objects.filter(case=case).delete()
    with translation.override("en"):
        case_reply_notify(case=case, message_id=1)
    subjects = dict(Notice.objects.filter(case=case).values_list("recipient__email", "subject"))
    assert subjects == {
        "alice@example.org": "Un informante respondió en un caso de Lincoln High",
        "erin@example.org": "A tipster answered on a case at Lincoln High",
    }


@pytest.fixture
def on_call(personas):
    """Alice (Spanish) first, then Paul the principal (English), by SMS and email."""
    backends.outbox.clear()
    _prefers(personas.counselor_a, "es")
    for position, (user, number) in enumerate(
        [(personas.counselor_a, "+13035550101"), (personas.principal_a, "+13035550102")], 1
    ):
        User.objects.filter(id=user.id).update(phone_number=number)
        OnCallContact.objects.create(school=personas.school_a, user=user, position=position)
    return personas


def test_it_texts_and_emails_each_call_down_step_in_the_contacts_language(on_call):
    with translation.override("es"):  # a Spanish tip opens the case
        case = case_factory(on_call.school_a, category=Category.WEAPON, body="tiene un arma")
    t0 = case.created_at
    with translation.override("en"):  # the worker runs in English: Alice still reads Spanish
        calldown_advance(case_id=case.id, now=t0)
    with translation.override("es"):  # and in Spanish: Paul still reads English
        calldown_advance(case_id=case.id, now=t0 + WAIT)
    texts = {text.to: text.body for text in backends.outbox}
    assert texts["+13035550101"].startswith("Línea de avisos, riesgo vital: un caso nuevo")
    assert texts["+13035550102"].startswith("Tip line, life safety: a new case at Lincoln High")
    emails = _emails_by_recipient()
    assert emails["alice@example.org"].subject.startswith("RIESGO VITAL: un caso en Lincoln")
    assert emails["paul@example.org"].subject.startswith("LIFE SAFETY: a case at Lincoln")
    for body in [*texts.values(), *(m.body for m in mail.outbox)]:
        assert "tiene un arma" not in body and f"/staff/cases/{case.id}/" in body


@pytest.mark.parametrize(
    "principal_language, actor_language, expected",
    [
        ("es", "en", "Escalado: un caso en Lincoln High no cumplió su plazo"),
        ("en", "es", "Escalated: a case at Lincoln High missed its deadline"),
        ("", "es", "Escalated: a case at Lincoln High missed its deadline"),
    ],
)
def test_it_escalates_a_missed_deadline_in_the_principals_language(
    personas, principal_language, actor_language, expected
):
    _prefers(personas.principal_a, principal_language)
    case = case_factory(personas.school_a)
    with translation.override(actor_language):
        assert sla_sweep(now=case.first_response_due_at + timedelta(minutes=1)) == 1
    (message,) = [m for m in mail.outbox if m.to == ["paul@example.org"]]
    assert message.subject == expected


def test_it_sends_the_morning_digest_in_each_counselors_language(two_counselors):
    for body in ("one", "two"):
        case = case_factory(two_counselors.school_a, body=body)
        Case.objects.filter(id=case.id).update(created_at=SATURDAY_NIGHT)
    with translation.override("en"):
        assert digest_send(now=MONDAY_MORNING) == 2
    emails = _emails_by_recipient()
    alice, erin = emails["alice@example.org"], emails["erin@example.org"]
    assert alice.subject == "Línea de avisos: 2 casos nuevos en Lincoln High durante la noche"
    assert "Llegaron 2 casos nuevos" in alice.body
    assert erin.subject == "Tip line: 2 new cases at Lincoln High overnight"
    assert "2 new cases arrived" in erin.body
    assert Membership.objects.filter(school=two_counselors.school_a).count() == 3


def test_it_pages_a_critical_alert_in_each_contacts_language(on_call):
    alice = User.objects.get(id=on_call.counselor_a.id)
    paul = User.objects.get(id=on_call.principal_a.id)
    page = AlertPage(
        school_id=on_call.school_a.id,
        school_name="Lincoln High",
        alert_id=41,
        link="https://tips.example.org/alerts/41/",
        users=(alice, paul),
    )
    with translation.override("es"):
        ids = alert_notices_write(pages=[page])
    rows = Notice.objects.filter(id__in=ids).values_list("recipient__email", "via", "text")
    texts = {(email, via): text for email, via, text in rows}
    assert texts[("alice@example.org", "sms")] == (
        "Una alerta crítica de redes sociales necesita revisión en Lincoln High: "
        "https://tips.example.org/alerts/41/"
    )
    assert texts[("paul@example.org", "sms")] == (
        "A critical social-post alert needs review at Lincoln High: "
        "https://tips.example.org/alerts/41/"
    )
    subjects = dict(Notice.objects.filter(id__in=ids).values_list("recipient__email", "subject"))
    assert subjects == {
        "alice@example.org": "Alerta crítica para Lincoln High",
        "paul@example.org": "Critical alert for Lincoln High",
    }
