"""The minimal staff side: scoped list and detail, audit of views, downloads, replies."""

import pytest

from cases.models import Case, CaseEvent
from tests.tipline.web_helpers import png_file, tip_payload
from tipline.models import Message

pytestmark = pytest.mark.django_db
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def case(client, personas):
    client.post(
        "/s/lincoln-high/",
        {
            **tip_payload(body=PAYLOAD, who_involved=PAYLOAD, category="weapon"),
            "files": [png_file()],
        },
    )
    client.cookies.clear()
    return Case.objects.get()


def _urls(case):
    attachment = case.attachments.get()
    return [
        f"/staff/cases/{case.id}/",
        f"/staff/cases/{case.id}/attachments/{attachment.id}/",
    ]


def test_it_redirects_anonymous_users_to_login(client, case):
    for url in [*_urls(case), "/staff/cases/", "/staff/schools/lincoln-high/poster/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(f"/staff/cases/{case.id}/reply/", {"body": "x"}).status_code == 302


@pytest.mark.parametrize("persona", ["counselor_b", "other_district_admin"])
def test_it_404s_staff_of_other_schools(client_for, personas, case, persona):
    client = client_for(getattr(personas, persona))
    for url in _urls(case):
        assert client.get(url).status_code == 404
    assert client.post(f"/staff/cases/{case.id}/reply/", {"body": "x"}).status_code == 404
    assert case.reference not in client.get("/staff/cases/").content.decode()
    assert client.get("/staff/schools/lincoln-high/qr.svg").status_code == 404


def test_it_lets_a_principal_read_life_safety_but_not_reply(client_for, personas, case):
    client = client_for(personas.principal_a)
    assert client.get(f"/staff/cases/{case.id}/").status_code == 200
    assert "Reply to the tipster" not in client.get(f"/staff/cases/{case.id}/").content.decode()
    reply = client.post(f"/staff/cases/{case.id}/reply/", {"body": "x"})
    assert reply.status_code == 404
    assert not Message.objects.exists()


def test_it_lists_cases_and_renders_tip_text_escaped(client_for, personas, case):
    client = client_for(personas.counselor_a)
    assert case.reference in client.get("/staff/cases/").content.decode()
    html = client.get(f"/staff/cases/{case.id}/").content.decode()
    assert PAYLOAD not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_it_records_every_staff_view_in_the_audit_trail(client_for, personas, case):
    client = client_for(personas.counselor_a)
    client.get(f"/staff/cases/{case.id}/")
    client_for(personas.district_admin).get(f"/staff/cases/{case.id}/")
    viewers = case.events.filter(kind=CaseEvent.Kind.VIEWED).values_list("actor", flat=True)
    assert sorted(viewers) == sorted([personas.counselor_a.id, personas.district_admin.id])


def test_it_serves_attachments_as_nosniff_downloads(client_for, personas, case):
    client = client_for(personas.counselor_a)
    attachment = case.attachments.get()
    response = client.get(f"/staff/cases/{case.id}/attachments/{attachment.id}/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\x89PNG")
    assert case.events.filter(kind=CaseEvent.Kind.ATTACHMENT_VIEWED).exists()


def test_it_404s_an_attachment_through_another_case(client_for, personas, case):
    other = Case.objects.create(school=personas.school_a, reference="OTHER1", channel="web")
    attachment = case.attachments.get()
    client = client_for(personas.counselor_a)
    assert client.get(f"/staff/cases/{other.id}/attachments/{attachment.id}/").status_code == 404


def test_it_sends_a_reply_to_the_tipster(client_for, personas, case):
    client = client_for(personas.counselor_a)
    reporter = case.tips.get().reporter
    response = client.post(
        f"/staff/cases/{case.id}/reply/", {"reporter": reporter.id, "body": "Are you safe?"}
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.direction, message.author, message.body) == (
        "out",
        personas.counselor_a,
        "Are you safe?",
    )
    assert (
        client.post(f"/staff/cases/{case.id}/reply/", {"reporter": reporter.id}).status_code == 400
    )


def test_it_draws_the_school_qr_code_on_our_own_server(client_for, personas):
    client = client_for(personas.counselor_a)
    poster = client.get("/staff/schools/lincoln-high/poster/").content.decode()
    assert "https://tips.example.org/s/lincoln-high/" in poster
    svg = client.get("/staff/schools/lincoln-high/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<?xml") and b"<svg" in svg.content
    assert client.get("/staff/schools/roosevelt-middle/poster/").status_code == 404
