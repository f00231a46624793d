"""Tips taken by staff: typed in on /staff/tips/new/, into the same intake core as web and
SMS (priority, scorer, notices, call-down), marked as staff-entered wherever a tip shows."""

import pytest
from django.core import mail
from django.db import connection

from accounts.models import OnCallContact
from cases.models import Case, CaseEvent, Channel, Notice, Priority, PrioritySource
from tests.tipline.web_helpers import png_file, stored_bytes
from tipline.models import Attachment, ReceivedBy, Tip

pytestmark = pytest.mark.django_db
URL = "/staff/tips/new/"


def _payload(personas, **overrides):
    data = {
        "school": personas.school_a.id,
        "received_by": ReceivedBy.IN_PERSON,
        "body": "A student told me someone is selling vapes in the east bathroom.",
        "category": "substances",
        "danger_now": "no",
        "who_involved": "",
        "location": "east bathroom",
        "when_happened": "",
        "contact_details": "",
    }
    return {**data, **overrides}


def test_it_stores_a_walk_in_tip_as_staff_entered(client_for, personas):
    client = client_for(personas.counselor_a)
    assert client.get(URL).status_code == 200
    response = client.post(URL, _payload(personas))
    tip = Tip.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/cases/{tip.case_id}/"
    assert (tip.channel, tip.case.channel) == (Channel.STAFF, Channel.STAFF)
    assert (tip.entered_by, tip.received_by) == (personas.counselor_a, ReceivedBy.IN_PERSON)
    assert tip.reporter is None and tip.contact_details == "" and not tip.may_contact
    added = CaseEvent.objects.get(case=tip.case, kind=CaseEvent.Kind.TIP_ADDED)
    assert added.actor == personas.counselor_a
    assert added.data["entered_by"] == personas.counselor_a.id
    page = client.get(response["Location"]).content.decode()
    assert "In person, entered by Alice Counselor" in page
    assert "Do not contact the reporter" in page
    queue = client.get("/staff/cases/").content.decode()
    assert tip.case.reference in queue and "Entered by staff" in queue


def test_it_goes_through_the_intake_core_scorer_notices_and_call_down(
    client_for, personas, django_capture_on_commit_callbacks
):
    personas.principal_a.phone_number = "+13035550102"
    personas.principal_a.save()
    OnCallContact.objects.create(school=personas.school_a, user=personas.principal_a, position=1)
    client = client_for(personas.district_admin)
    payload = _payload(
        personas,
        received_by=ReceivedBy.PHONE,
        category="other",
        body="A caller said her friend wants to kill myself tonight, she said it twice.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, payload)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.priority == Priority.LIFE_SAFETY
    assert case.priority_source == PrioritySource.SCORER
    reasons = set(Notice.objects.filter(case=case).values_list("reason", "recipient__email"))
    assert (Notice.Reason.NEW_TIP, "alice@example.org") in reasons
    assert (Notice.Reason.CALLDOWN, "paul@example.org") in reasons
    for email in mail.outbox:
        assert "kill" not in email.body


def test_it_keeps_contact_details_only_when_the_reporter_may_be_contacted(client_for, personas):
    client = client_for(personas.counselor_a)
    client.post(URL, _payload(personas, contact_details="mum's phone 303 555 0199"))
    client.post(
        URL, _payload(personas, body="second", may_contact="on", contact_details="call Sam")
    )
    first, second = Tip.objects.order_by("id")
    assert (first.may_contact, first.contact_details) == (False, "")
    assert (second.may_contact, second.contact_details) == (True, "call Sam")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_details FROM tipline_tip WHERE id = %s", [second.id])
        (raw,) = cursor.fetchone()
    assert raw and "Sam" not in raw  # encrypted at rest


def test_it_refuses_bad_input_with_a_clear_error_and_stores_nothing(client_for, personas):
    client = client_for(personas.counselor_a)
    response = client.post(URL, _payload(personas, may_contact="on", body=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "Say how the reporter may be contacted" in page
    assert not Tip.objects.exists() and not Case.objects.exists()


def test_it_stores_files_through_the_attachment_cleaning(client_for, personas):
    client = client_for(personas.counselor_a)
    response = client.post(URL, {**_payload(personas), "files": [png_file()]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.tip.channel == Channel.STAFF and attachment.content_type == "image/png"
    assert stored_bytes(attachment) != png_file().read()  # encrypted on disk


def test_it_refuses_a_school_the_user_does_not_serve(client_for, personas):
    client = client_for(personas.counselor_a)
    response = client.post(URL, _payload(personas, school=personas.school_b.id))
    assert response.status_code == 400 and not Tip.objects.exists()


@pytest.mark.parametrize("persona", ["counselor_a", "principal_a", "district_admin"])
def test_it_lets_every_staff_role_enter_a_tip(client_for, personas, persona):
    response = client_for(getattr(personas, persona)).post(URL, _payload(personas))
    assert response.status_code == 302
    assert Tip.objects.get().entered_by == getattr(personas, persona)


def test_it_is_for_signed_in_staff_only(client, personas):
    assert client.get(URL).status_code == 302  # to the sign-in page
    outsider = personas.counselor_b
    outsider.memberships.all().delete()
    client.force_login(outsider)
    assert client.get(URL).status_code == 404


def test_the_api_says_who_entered_a_tip_and_how(client_for, personas):
    client = client_for(personas.counselor_a)
    client.post(URL, _payload(personas, received_by=ReceivedBy.EMAIL))
    tip = Tip.objects.get()
    (row,) = client.get(f"/api/v1/cases/{tip.case_id}/tips/").json()
    assert (row["channel"], row["received_by"], row["may_contact"]) == ("staff", "email", False)
    assert row["entered_by"]["id"] == personas.counselor_a.id
