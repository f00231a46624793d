"""The public tip form: validation, what a submission stores, honeypot and notifications."""

import pytest
from django.core import mail

from tipline.models import Case, CaseEvent, Priority, PrioritySource, Reporter, Tip

from .web_helpers import (
    jpeg_with_gps,
    submit_tip,
    tip_payload,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db


def test_it_serves_the_form_at_the_short_link(client, personas):
    response = client.get("/s/lincoln-high/")
    assert response.status_code == 200
    assert "Send a tip to Lincoln High" in response.content.decode()
    assert "Call or text 988" in response.content.decode()


def test_it_404s_an_unknown_or_inactive_school(client, personas):
    personas.school_b.is_active = False
    personas.school_b.save()
    assert client.get("/s/nowhere/").status_code == 404
    assert client.get("/s/roosevelt-middle/").status_code == 404


def test_it_refuses_an_empty_tip_with_errors_tied_to_fields(client, personas):
    response = client.post("/s/lincoln-high/", {})
    html = response.content.decode()
    assert response.status_code == 400
    assert Tip.objects.count() == 0
    for field in ("body", "category", "danger_now"):
        assert response.context["form"].errors[field]
    assert 'aria-describedby="id_body_helptext id_body_error"' in html
    assert 'id="id_body_error"' in html
    assert 'aria-invalid="true"' in html


def test_it_refuses_a_tip_over_5000_characters(client, personas):
    response = submit_tip(client, body="x" * 5001)
    assert "body" in response.context["form"].errors
    assert Tip.objects.count() == 0
    response = submit_tip(client, body="x" * 5000)
    assert Tip.objects.count() == 1


def test_it_stores_the_tip_and_opens_its_case_in_one_go(client, personas):
    with_language = client.post("/s/lincoln-high/", tip_payload(), HTTP_ACCEPT_LANGUAGE="es")
    assert with_language.status_code == 303
    tip = Tip.objects.get()
    assert tip.school == personas.school_a
    assert tip.channel == "web"
    assert tip.language == "es"
    assert tip.body == tip_payload()["body"]
    assert tip.case.school == personas.school_a
    assert tip.reporter.channel == "web"
    kinds = set(tip.case.events.values_list("kind", flat=True))
    assert {CaseEvent.Kind.CREATED, CaseEvent.Kind.TIP_ADDED} <= kinds


@pytest.mark.parametrize(
    ("category", "danger", "priority", "source"),
    [
        ("weapon", "no", Priority.LIFE_SAFETY, PrioritySource.CATEGORY_RULE),
        ("self_harm", "no", Priority.LIFE_SAFETY, PrioritySource.CATEGORY_RULE),
        ("bullying", "yes", Priority.LIFE_SAFETY, PrioritySource.DANGER_ANSWER),
        ("bullying", "no", Priority.ROUTINE, PrioritySource.DEFAULT),
    ],
)
def test_it_sets_life_safety_by_category_or_danger(
    client, personas, category, danger, priority, source
):
    submit_tip(client, category=category, danger_now=danger)
    case = Case.objects.get()
    assert (case.priority, case.priority_source) == (priority, source)


def test_it_shows_crisis_help_prominently_when_someone_is_in_danger(client, personas):
    calm = submit_tip(client, danger_now="no").content.decode()
    urgent = submit_tip(client, danger_now="yes").content.decode()
    assert "get help now" not in calm
    assert "If someone is in danger right now, get help now" in urgent
    assert 'href="tel:911"' in urgent and "text HOME to 741741" in urgent


def test_it_stores_nothing_when_the_honeypot_is_filled(client, personas):
    response = submit_tip(client, leave_empty="http://spam.example")
    assert response.status_code == 200
    assert "could not be sent" in response.content.decode()
    assert Tip.objects.count() == Reporter.objects.count() == 0


def test_it_emails_counselors_a_link_and_no_tip_content_after_commit(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_tip(client, body="Jordan has a knife in locker 12", location="Locker 12")
    case = Case.objects.get()
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    email = mail.outbox[0]
    text = email.subject + email.body
    assert f"https://tips.example.org/staff/cases/{case.id}/" in email.body
    for secret in ("Jordan", "knife", "Locker", "substances", "vape"):
        assert secret.lower() not in text.lower()
    assert case.events.filter(kind=CaseEvent.Kind.NOTIFIED).count() == 1


def test_it_accepts_a_photo_and_attaches_it_to_the_tip(client, personas):
    response = client.post("/s/lincoln-high/", {**tip_payload(), "files": [jpeg_with_gps()]})
    assert response.status_code == 303
    tip = Tip.objects.get()
    attachment = tip.attachments.get()
    assert attachment.case == tip.case
    assert attachment.content_type == "image/jpeg"
    assert attachment.original_name == "photo.jpg"
