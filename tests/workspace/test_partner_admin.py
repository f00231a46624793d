"""District admins keep their district's partner agencies and contacts at /staff/partners/;
nobody else reaches them, and no admin reaches another district's."""

import pytest

from cases.models import PartnerAgency, PartnerContact

from .partner_support import police

pytestmark = pytest.mark.django_db


def test_a_district_admin_adds_an_agency_and_its_contacts(client_for, personas):
    client = client_for(personas.district_admin)
    assert client.get("/staff/partners/").status_code == 200
    response = client.post("/staff/partners/", {"name": "County Sheriff", "kind": "sheriff"})
    agency = PartnerAgency.objects.get()
    assert response["Location"] == f"/staff/partners/{agency.id}/"
    assert (agency.district, agency.kind) == (personas.school_a.district, "sheriff")
    response = client.post(
        f"/staff/partners/{agency.id}/", {"name": "Deputy Ito", "phone_number": "+1 303 555 0150"}
    )
    assert response.status_code == 302
    contact = PartnerContact.objects.get()
    assert (contact.email, contact.phone_number) == ("", "+13035550150")
    page = client.get(f"/staff/partners/{agency.id}/").content.decode()
    assert "Deputy Ito" in page


def test_it_refuses_a_contact_nobody_can_reach_and_a_duplicate_agency(client_for, personas):
    client = client_for(personas.district_admin)
    contact = police(personas.school_a.district)
    response = client.post(f"/staff/partners/{contact.agency_id}/", {"name": "Nobody"})
    assert response.status_code == 400
    assert "Give an email address or a mobile number." in response.content.decode()
    response = client.post(
        f"/staff/partners/{contact.agency_id}/", {"name": "Bad", "phone_number": "555-0150"}
    )
    assert response.status_code == 400 and "country code" in response.content.decode()
    response = client.post("/staff/partners/", {"name": "Front Range Police", "kind": "police"})
    assert response.status_code == 400 and PartnerAgency.objects.count() == 1


def test_turning_a_contact_off_removes_it_from_the_share_form(client_for, personas):
    from tests.factories import case_factory

    contact = police(personas.school_a.district)
    case = case_factory(personas.school_a)
    admin = client_for(personas.district_admin)
    url = f"/staff/partners/{contact.agency_id}/contacts/{contact.id}/active/"
    assert admin.post(url, {"active": "0"}).status_code == 302
    assert not PartnerContact.objects.get(id=contact.id).is_active
    page = admin.get(f"/staff/cases/{case.id}/").content.decode()
    assert "Share the case" not in page


@pytest.mark.parametrize("persona", ["counselor_a", "principal_a", "other_district_admin"])
def test_it_is_the_district_admins_own(client_for, personas, persona):
    contact = police(personas.school_a.district)
    client = client_for(getattr(personas, persona))
    agency = contact.agency_id
    if persona != "other_district_admin":
        assert client.get("/staff/partners/").status_code == 404
    for url in (
        f"/staff/partners/{agency}/",
        f"/staff/partners/{agency}/active/",
        f"/staff/partners/{agency}/contacts/{contact.id}/active/",
    ):
        method = client.get if url.endswith(f"{agency}/") else client.post
        assert method(url, {"active": "0"}).status_code == 404
    assert PartnerContact.objects.get(id=contact.id).is_active
    assert PartnerAgency.objects.get(id=agency).is_active


def test_it_sends_anonymous_visitors_to_sign_in(client, personas):
    assert client.get("/staff/partners/").status_code == 302


@pytest.mark.parametrize("persona", ["principal_a", "counselor_b", "other_district_admin"])
def test_only_staff_who_work_the_case_share_or_revoke_it(client_for, personas, persona):
    from cases.models import CaseShare
    from tests.factories import case_factory

    from .partner_support import share

    case = case_factory(personas.school_a)
    contact = police(personas.school_a.district)
    row, _ = share(case, contact, personas.counselor_a)
    client = client_for(getattr(personas, persona))
    response = client.post(
        f"/staff/cases/{case.id}/share/", {"share-contact": contact.id, "share-hours": 72}
    )
    assert response.status_code == 404
    assert client.post(f"/staff/cases/{case.id}/shares/{row.id}/revoke/").status_code == 404
    assert CaseShare.objects.count() == 1 and CaseShare.objects.get().revoked_at is None


def test_a_share_is_revoked_only_through_its_own_case(client_for, personas):
    from cases.models import CaseShare
    from tests.factories import case_factory

    from .partner_support import share

    case, other = case_factory(personas.school_a), case_factory(personas.school_a)
    row, _ = share(case, police(personas.school_a.district), personas.counselor_a)
    client = client_for(personas.counselor_a)
    assert client.post(f"/staff/cases/{other.id}/shares/{row.id}/revoke/").status_code == 404
    assert CaseShare.objects.get(id=row.id).revoked_at is None


def test_an_admin_of_two_districts_chooses_which(client_for, personas):
    from accounts.models import DistrictMembership, Role

    DistrictMembership.objects.create(
        user=personas.district_admin, district=personas.school_c.district, role=Role.DISTRICT_ADMIN
    )
    client = client_for(personas.district_admin)
    assert "District" in client.get("/staff/partners/").content.decode()
    other = personas.school_c.district
    response = client.post(
        "/staff/partners/", {"name": "Far PD", "kind": "police", "district": other.id}
    )
    assert response.status_code == 302
    assert PartnerAgency.objects.get().district == other


def test_share_and_revoke_send_anonymous_visitors_to_sign_in(client, personas):
    from tests.factories import case_factory

    from .partner_support import share

    case = case_factory(personas.school_a)
    contact = police(personas.school_a.district)
    row, _ = share(case, contact, personas.counselor_a)
    assert client.post(f"/staff/cases/{case.id}/share/", {}).status_code == 302
    assert client.post(f"/staff/cases/{case.id}/shares/{row.id}/revoke/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is None
