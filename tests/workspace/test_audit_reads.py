"""Every read of tip, message, note or attachment content is audited, HTML or API.

Not a hand-kept list of views: every staff and API URL the project routes is requested (GET,
and an empty htmx POST) as the district admin, who may read and work everything. Whenever an
answer carries a case's content (marker words planted in its tip, message, note and file),
that request must have written a read event to the case's audit trail. A new endpoint that
returns content without auditing it fails here without anyone remembering to add it.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from alerts.models import Source, SourceKind
from cases.models import Case, CaseEvent, Channel
from cases.services.workflow import case_note_add
from tests.factories import case_factory
from tests.routes import named_routes
from tipline.attachments import CleanUpload, attachment_store
from tipline.services.tips import message_from_reporter

from .partner_support import police, share, verify

pytestmark = pytest.mark.django_db

MARKERS = {
    "tip": "Kestrel-TIP-4471",
    "where": "Kestrel-WHERE-4471",
    "message": "Kestrel-MSG-4471",
    "note": "Kestrel-NOTE-4471",
    "file": "Kestrel-FILE-4471",
}
READ_KINDS = (CaseEvent.Kind.VIEWED, CaseEvent.Kind.ATTACHMENT_VIEWED)
# A partner's reads of a case shared with them: no staff actor, the share on the event.
PARTNER_READS = (CaseEvent.Kind.PARTNER_VIEWED,)
# Tipsters' own pages and Twilio's webhooks: no staff read happens there.
NOT_STAFF = ("public:", "sms:", "admin:")
# Answers that carry content: if none of these did in a run, the markers were not planted
# (or not found) and the matrix would prove nothing.
KNOWN_CONTENT = {
    ("GET", "tipline:case_detail"),
    ("GET", "tipline:attachment_download"),
    ("POST", "tipline:case_note"),
    ("GET", "api:case_detail"),
    ("GET", "api:case_tips"),
}


ROUTES = sorted((name, kwargs) for name, kwargs in named_routes() if not name.startswith(NOT_STAFF))
# The partner's pages (a shared case's link): walked by staff above (they show nothing
# without the code), and by the verified partner below.
PARTNER_ROUTES = sorted(
    (name, kwargs) for name, kwargs in named_routes() if name.startswith("partner:")
)
KNOWN_PARTNER_CONTENT = {("GET", "partner:open"), ("GET", "partner:file"), ("POST", "partner:note")}


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = case_factory(personas.school_a, body=f"the tip: {MARKERS['tip']}", alias="Blue Heron")
    tip = case.tips.get()
    tip.location = MARKERS["where"]
    tip.save()
    message_from_reporter(
        case=case, reporter=tip.reporter, body=MARKERS["message"], channel=Channel.WEB
    )
    case_note_add(case=case, actor=personas.counselor_a, body=MARKERS["note"])
    upload = CleanUpload(
        data=f"%PDF-1.4 {MARKERS['file']}".encode(),
        content_type="application/pdf",
        extension="pdf",
        original_name="evidence.pdf",
    )
    attachment = attachment_store(case=case, upload=upload, tip=tip)
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Monitor"
    )
    contact = police(personas.school_a.district)
    share_row, token = share(
        case, contact, personas.counselor_a, with_attachments=True, with_messages=True
    )
    values = {
        "share_id": share_row.id,
        "agency_id": contact.agency_id,
        "contact_id": contact.id,
        "token": token,
        "case_id": case.id,
        "attachment_id": attachment.id,
        "school_id": personas.school_a.id,
        "district_id": personas.school_a.district_id,
        "source_id": source.id,
        "alert_id": 1,
        "token_id": 1,
        "message_id": 1,
    }
    return case, values


def _url(name: str, kwargs: tuple, values: dict, personas) -> str | None:
    if "slug" in kwargs:
        slug = "all" if name.startswith("summaries:") else personas.school_a.slug
        values = {**values, "slug": slug}
    if not set(kwargs) <= set(values):
        return None  # a route this matrix cannot fill in (password-reset links, the API 404)
    return reverse(name, kwargs={key: values[key] for key in kwargs})


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _reads(case: Case) -> int:
    return CaseEvent.objects.filter(case=case, kind__in=READ_KINDS).count()


def _carries_content(body: str) -> bool:
    return any(marker in body for marker in MARKERS.values())


def _check(client, method: str, url: str, case: Case, who) -> bool:
    before = _reads(case)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {}, headers={"HX-Request": "true"})
    if not _carries_content(_body(response)):
        return False
    recorded = CaseEvent.objects.filter(case=case, kind__in=READ_KINDS, actor=who)
    assert _reads(case) > before and recorded.exists(), f"{method} {url} read content unaudited"
    return True


@pytest.mark.parametrize(("name", "kwargs"), ROUTES, ids=[name for name, _ in ROUTES])
def test_it_audits_every_answer_that_carries_case_content(
    client_for, personas, world, name, kwargs
):
    case, values = world
    url = _url(name, kwargs, values, personas)
    if url is None:
        pytest.skip(f"{name} takes {kwargs}: nothing a case's content could be read through")
    client = client_for(personas.district_admin)
    client.raise_request_exception = True
    for method in ("GET", "POST"):
        _check(client, method, url, case, personas.district_admin)


def test_it_finds_content_where_content_is(client_for, personas, world):
    """The matrix is only as good as its markers: the known readers must show them."""
    case, values = world
    client = client_for(personas.district_admin)
    routes = dict(ROUTES)
    for method, name in sorted(KNOWN_CONTENT):
        url = _url(name, routes[name], values, personas)
        assert _check(client, method, url, case, personas.district_admin), (method, name)


def test_it_audits_reading_a_cases_tips_through_the_api(personas, client_for, world):
    case, _ = world
    client = client_for(personas.counselor_a)
    response = client.get(f"/api/v1/cases/{case.id}/tips/")
    assert response.status_code == 200 and MARKERS["tip"] in response.content.decode()
    event = case.events.filter(kind=CaseEvent.Kind.VIEWED).get()
    assert event.actor == personas.counselor_a and event.data == {"what": "tips"}


def test_it_audits_the_workspace_an_htmx_action_answers_with(personas, client_for, world):
    case, _ = world
    client = client_for(personas.counselor_a)
    response = client.post(f"/staff/cases/{case.id}/watch/", {}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and MARKERS["tip"] in response.content.decode()
    assert case.events.filter(kind=CaseEvent.Kind.VIEWED, actor=personas.counselor_a).exists()


def test_it_registers_no_tip_model_in_the_admin_site():
    # The admin site is left out of the matrix above: it must stay unable to show content.
    assert not [model for model in admin.site._registry if model._meta.app_label == "tipline"]


def test_it_audits_every_partner_answer_that_carries_case_content(client, personas, world):
    """The partner's pages, walked by the partner once they entered the code: every answer
    that shows the shared case's content wrote a partner read to its trail."""
    case, values = world
    share_row = case.shares.get()
    verify(client, values["token"], share_row.contact)
    client.raise_request_exception = True
    carried = set()
    for name, kwargs in PARTNER_ROUTES:
        url = _url(name, kwargs, values, personas)
        assert url is not None, name
        for method in ("GET", "POST"):
            before = CaseEvent.objects.filter(case=case, kind__in=PARTNER_READS).count()
            response = client.get(url) if method == "GET" else client.post(url, {})
            if not _carries_content(_body(response)):
                continue
            carried.add((method, name))
            after = CaseEvent.objects.filter(
                case=case, kind__in=PARTNER_READS, data__share_id=share_row.id
            ).count()
            assert after > before, f"{method} {url} read content unaudited"
    assert carried >= KNOWN_PARTNER_CONTENT
    # Never the staff's own notes, nor the reporter's contact details.
    page = _body(client.get(_url("partner:open", ("token",), values, personas)))
    assert MARKERS["note"] not in page
