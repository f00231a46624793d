"""Sharing a case with a partner: the link, the one-time code, what the partner reads, the
note back, and every way in that must stay shut (guessed, expired, revoked, other case)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from cases.models import CaseEvent, CaseNote, CaseShare, PartnerAgency, PartnerContact
from cases.services import shares
from cases.services.workflow import CasePermissionError, CaseWorkflowError, case_note_add
from tests.factories import case_factory
from tipline.services.tips import message_from_reporter
from tipline.sms import backends

from .partner_support import code_from, last_text_to, police, share, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(personas):
    case = case_factory(
        personas.school_a, body="He said he would bring a knife on Friday.", alias="Blue Heron"
    )
    tip = case.tips.get()
    tip.contact_details = "Jamie, 303 555 0111"
    tip.save()
    message_from_reporter(
        case=case, reporter=tip.reporter, body="It is Jordan in 10th grade", channel="web"
    )
    case_note_add(case=case, actor=personas.counselor_a, body="Staff-only: talked to the dean")
    contact = police(personas.school_a.district)
    row, token = share(case, contact, personas.counselor_a)
    return case, contact, row, token


def test_it_stores_neither_the_token_nor_the_code(client, shared):
    case, contact, row, token = shared
    client.post(f"/partner/{token}/code/")
    code = code_from(last_text_to(contact))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_caseshare")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert token not in stored and code not in stored
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.SHARED).get().data["hours"] == 72
    assert row.expires_at - row.created_at == timedelta(hours=72)


def test_the_link_alone_shows_nothing_of_the_case(client, shared):
    _case, _contact, _row, token = shared
    response = client.get(f"/partner/{token}/")
    page = response.content.decode()
    assert response.status_code == 200 and "knife" not in page and "Send me a code" in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    # Nothing from anywhere else: every src and href is our own path.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.PARTNER_VIEWED).exists()


def test_the_partner_reads_the_redacted_case_and_every_view_is_audited(client, shared):
    case, contact, row, token = shared
    verify(client, token, contact)
    response = client.get(f"/partner/{token}/")
    page = response.content.decode()
    assert "knife on Friday" in page and case.reference in page
    # Never the reporter's contact details or alias, staff notes, or messages not chosen.
    assert "Jamie" not in page and case.tips.get().reporter.alias not in page
    assert "Staff-only" not in page and "Jordan" not in page
    assert "no-store" in response["Cache-Control"]
    viewed = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.PARTNER_VIEWED)
    assert viewed.actor is None
    assert viewed.data == {"share_id": row.id, "contact_id": contact.id, "what": "case"}


def test_messages_and_files_only_when_the_sharer_chose_them(client, personas, shared, tmp_path):
    from tipline.attachments import CleanUpload, attachment_store

    case, contact, _first, first_token = shared
    upload = CleanUpload(
        data=b"%PDF-1.4 evidence",
        content_type="application/pdf",
        extension="pdf",
        original_name="evidence.pdf",
    )
    attachment = attachment_store(case=case, upload=upload, tip=case.tips.get())
    verify(client, first_token, contact)
    assert client.get(f"/partner/{first_token}/files/{attachment.id}/").status_code == 404
    _row, token = share(
        case, contact, personas.counselor_a, with_attachments=True, with_messages=True
    )
    verify(client, token, contact)
    page = client.get(f"/partner/{token}/").content.decode()
    assert "Jordan" in page and "Jamie" not in page
    response = client.get(f"/partner/{token}/files/{attachment.id}/")
    assert response.status_code == 200 and response.content == b"%PDF-1.4 evidence"
    assert "no-store" in response["Cache-Control"]
    assert CaseEvent.objects.filter(
        case=case, kind=CaseEvent.Kind.PARTNER_VIEWED, data__attachment_id=attachment.id
    ).exists()


def test_the_partner_adds_a_note_that_staff_see_as_theirs(
    client, client_for, personas, shared, django_capture_on_commit_callbacks
):
    case, contact, row, token = shared
    assert client.post(f"/partner/{token}/notes/", {"body": "x"}).status_code == 404  # no code
    verify(client, token, contact)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/partner/{token}/notes/", {"body": "Officer visited the home."})
    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.to == ["alice@example.org"]
    assert email.subject == "A partner added a note on a case at Lincoln High"
    assert "visited" not in email.body and f"/staff/cases/{case.id}/" in email.body
    note = CaseNote.objects.get(share=row)
    assert note.author is None and note.body == "Officer visited the home."
    assert "Officer visited the home." in client.get(f"/partner/{token}/").content.decode()
    staff_page = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    assert "Officer visited the home." in staff_page and "Note from a partner" in staff_page
    assert "Front Range Police: Officer Reyes" in staff_page


def test_a_wrong_code_costs_a_try_and_the_code_dies_after_five(client, shared):
    case, contact, _row, token = shared
    client.post(f"/partner/{token}/code/")
    code = code_from(last_text_to(contact))
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(shares.CODE_ATTEMPTS):
        assert client.post(f"/partner/{token}/verify/", {"code": wrong}).status_code == 400
    assert client.post(f"/partner/{token}/verify/", {"code": code}).status_code == 400
    assert "knife" not in client.get(f"/partner/{token}/").content.decode()
    # Every counted try is on the trail; tries past the limit are refused without filling it.
    for _ in range(20):
        client.post(f"/partner/{token}/verify/", {"code": wrong})
    failed = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.PARTNER_CODE_FAILED)
    assert failed.count() == shares.CODE_ATTEMPTS


def test_a_code_is_used_once_and_expires(shared):
    _case, contact, row, _token = shared
    now = timezone.now()
    assert shares.share_code_send(share=row, now=now) is shares.CodeSent.SENT
    code = code_from(last_text_to(contact))
    later = now + timedelta(minutes=shares.CODE_MINUTES, seconds=1)
    assert not shares.share_code_check(share=row, code=code, now=later)
    assert shares.share_code_send(share=row, now=later) is shares.CodeSent.SENT
    code = code_from(last_text_to(contact))
    assert shares.share_code_check(share=row, code=code, now=later)
    assert not shares.share_code_check(share=row, code=code, now=later)


def test_codes_are_throttled_and_limited_per_share(shared):
    _case, _contact, row, _token = shared
    now = timezone.now()
    assert shares.share_code_send(share=row, now=now) is shares.CodeSent.SENT
    assert shares.share_code_send(share=row, now=now + timedelta(seconds=5)) is (
        shares.CodeSent.TOO_SOON
    )
    for n in range(1, shares.CODES_PER_SHARE):
        at = now + n * shares.CODE_INTERVAL
        assert shares.share_code_send(share=row, now=at) is shares.CodeSent.SENT
    at = now + shares.CODES_PER_SHARE * shares.CODE_INTERVAL
    assert shares.share_code_send(share=row, now=at) is shares.CodeSent.EXHAUSTED
    assert CaseShare.objects.get(id=row.id).codes_sent == shares.CODES_PER_SHARE


@pytest.mark.parametrize(
    "token", ["", "x", "A" * 43, "../staff/cases", "Zm9v-bar_baz", "A" * 200], ids=repr
)
def test_a_guessed_or_malformed_token_gets_the_same_page(client, shared, token):
    response = client.get(f"/partner/{token}/")
    assert response.status_code == 404
    assert "knife" not in response.content.decode()


def test_revoking_ends_an_open_session_at_once(client, client_for, personas, shared):
    case, contact, row, token = shared
    verify(client, token, contact)
    assert "knife" in client.get(f"/partner/{token}/").content.decode()
    staff = client_for(personas.counselor_a)
    response = staff.post(f"/staff/cases/{case.id}/shares/{row.id}/revoke/")
    assert response.status_code == 302
    assert CaseShare.objects.get(id=row.id).revoked_by == personas.counselor_a
    assert client.get(f"/partner/{token}/").status_code == 404
    assert client.post(f"/partner/{token}/notes/", {"body": "late"}).status_code == 404
    assert client.post(f"/partner/{token}/code/").status_code == 404
    assert not CaseNote.objects.filter(share=row).exists()
    kinds = set(case.events.values_list("kind", flat=True))
    assert {CaseEvent.Kind.SHARED, CaseEvent.Kind.SHARE_REVOKED} <= kinds


def test_expiry_ends_access(client, shared):
    _case, contact, row, token = shared
    verify(client, token, contact)
    CaseShare.objects.filter(id=row.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/partner/{token}/")
    assert response.status_code == 404 and "knife" not in response.content.decode()
    with pytest.raises(CaseWorkflowError):
        shares.partner_note_add(share=row, body="too late")


def test_a_session_for_case_a_reads_nothing_of_case_b(client, personas, shared):
    _case, contact, _row, token = shared
    verify(client, token, contact)
    other = case_factory(personas.school_a, body="Case B: a different secret")
    _other_row, other_token = share(other, contact, personas.counselor_a)
    # The session proved case A's code: case B's link still asks for its own code.
    page = client.get(f"/partner/{other_token}/").content.decode()
    assert "different secret" not in page and "Send me a code" in page
    # And case A's link cannot fetch case B's files or show its tip.
    assert "different secret" not in client.get(f"/partner/{token}/").content.decode()


def test_only_staff_who_work_the_case_share_and_only_with_their_district(personas, shared):
    case, contact, _row, _token = shared
    with pytest.raises(CasePermissionError):
        shares.case_share_create(case=case, contact=contact, actor=personas.principal_a)
    with pytest.raises(CasePermissionError):
        shares.case_share_create(case=case, contact=contact, actor=personas.counselor_b)
    elsewhere = PartnerContact.objects.create(
        agency=PartnerAgency.objects.create(
            district=personas.school_c.district, name="Far PD", kind="police"
        ),
        name="Far",
        email="far@example.org",
    )
    with pytest.raises(CaseWorkflowError):
        shares.case_share_create(case=case, contact=elsewhere, actor=personas.district_admin)
    PartnerContact.objects.filter(id=contact.id).update(is_active=False)
    with pytest.raises(CaseWorkflowError):
        shares.case_share_create(case=case, contact=contact, actor=personas.district_admin)


def test_staff_share_from_the_case_page_and_the_contact_gets_the_link(client_for, personas):
    case = case_factory(personas.school_a, body="walk-in about a fight")
    contact = police(personas.school_a.district)
    staff = client_for(personas.counselor_a)
    page = staff.get(f"/staff/cases/{case.id}/").content.decode()
    assert "Share the case" in page and "Officer Reyes" in page
    mail.outbox.clear()
    response = staff.post(
        f"/staff/cases/{case.id}/share/",
        {"share-contact": contact.id, "share-hours": 72, "share-with_messages": "on"},
    )
    assert response.status_code == 302
    row = CaseShare.objects.get()
    assert (row.with_messages, row.with_attachments, row.shared_by) == (
        True,
        False,
        personas.counselor_a,
    )
    (email,) = mail.outbox
    assert email.to == ["officer@police.example.org"] and "/partner/" in email.body
    assert "fight" not in email.body and "fight" not in email.subject
    page = staff.get(f"/staff/cases/{case.id}/").content.decode()
    assert "Shared with Front Range Police: Officer Reyes for 72 hours" in page


def test_a_contact_without_email_gets_link_and_code_by_sms(client, personas):
    backends.outbox.clear()
    case = case_factory(personas.school_a, body="tip for the sheriff")
    contact = police(personas.school_a.district, email="", phone_number="+13035550177")
    _row, token = share(case, contact, personas.district_admin)
    verify(client, token, contact)
    assert "tip for the sheriff" in client.get(f"/partner/{token}/").content.decode()
    assert [text.to for text in backends.outbox] == ["+13035550177"] * 2
    assert all("sheriff" not in text.body for text in backends.outbox)


def test_the_share_form_refuses_bad_input_clearly(client_for, personas):
    case = case_factory(personas.school_a)
    police(personas.school_a.district)
    response = client_for(personas.counselor_a).post(
        f"/staff/cases/{case.id}/share/", {"share-hours": 5}
    )
    assert response.status_code == 400 and not CaseShare.objects.exists()


def test_the_api_shows_a_partners_note_as_theirs(client, client_for, personas, shared):
    case, contact, _row, token = shared
    verify(client, token, contact)
    client.post(f"/partner/{token}/notes/", {"body": "Family visited."})
    notes = client_for(personas.counselor_a).get(f"/api/v1/cases/{case.id}/").json()["notes"]
    partner_note = next(note for note in notes if note["body"] == "Family visited.")
    assert partner_note["author"] is None
    assert partner_note["partner"] == {
        "agency": "Front Range Police",
        "kind": "police",
        "contact": "Officer Reyes",
    }
    assert next(n for n in notes if n["partner"] is None)["author"]["id"] == personas.counselor_a.id
