"""Who may open each district page: the district's admins everything; its principals their
school's staff and on-call list and the policies, read-only; counselors refused; anyone
else (another district's admin included) and any id from another district, 404."""

import pytest

from accounts.models import AdminChange, OnCallContact, PhoneNumber
from alerts.models import Source, SourceKind
from tests.factories import PhoneNumberFactory

pytestmark = pytest.mark.django_db

# (name, path under /staff/district/<district id>/)
ADMIN_PAGES = [
    ("overview", ""),
    ("staff", "staff/"),
    ("invite", "staff/invite/"),
    ("staff_edit", "staff/{counselor_a}/"),
    ("on_call", "on-call/"),
    ("numbers", "numbers/"),
    ("sources", "sources/"),
    ("source_new", "sources/new/"),
    ("policy", "policy/"),
    ("school_hours", "schools/{school_a}/hours/"),
    ("changes", "changes/"),
]
PRINCIPAL_PAGES = {"overview", "staff", "on_call", "policy"}


def _path(personas, template: str) -> str:
    district = personas.school_a.district_id
    ids = {"counselor_a": personas.counselor_a.id, "school_a": personas.school_a.id}
    return f"/staff/district/{district}/" + template.format(**ids)


@pytest.mark.parametrize(("name", "template"), ADMIN_PAGES, ids=[p[0] for p in ADMIN_PAGES])
def test_it_opens_every_page_to_the_district_admin(client_for, personas, name, template):
    response = client_for(personas.district_admin).get(_path(personas, template))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "template"), ADMIN_PAGES, ids=[p[0] for p in ADMIN_PAGES])
def test_it_404s_another_districts_admin(client_for, personas, name, template):
    response = client_for(personas.other_district_admin).get(_path(personas, template))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "template"), ADMIN_PAGES, ids=[p[0] for p in ADMIN_PAGES])
def test_it_refuses_counselors(client_for, personas, name, template):
    response = client_for(personas.counselor_a).get(_path(personas, template))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "template"), ADMIN_PAGES, ids=[p[0] for p in ADMIN_PAGES])
def test_it_limits_principals_to_reading(client_for, personas, name, template):
    response = client_for(personas.principal_a).get(_path(personas, template))
    assert response.status_code == (200 if name in PRINCIPAL_PAGES else 403)


def test_it_sends_anonymous_visitors_to_sign_in(client, personas):
    response = client.get(_path(personas, "staff/"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_a_principal_only_their_schools_staff_and_list(client_for, personas):
    OnCallContact.objects.create(school=personas.school_b, user=personas.counselor_b, position=1)
    OnCallContact.objects.create(school=personas.school_a, user=personas.principal_a, position=1)
    client = client_for(personas.principal_a)
    staff = client.get(_path(personas, "staff/")).content.decode()
    assert "alice@example.org" in staff and "bob@example.org" not in staff
    assert "dana@example.org" not in staff
    on_call = client.get(_path(personas, "on-call/")).content.decode()
    assert "Lincoln High" in on_call and "Roosevelt Middle" not in on_call
    assert "Move" not in on_call and "Add to the end" not in on_call
    policy = client.get(_path(personas, "policy/")).content.decode()
    assert '<form method="post" novalidate>' not in policy
    assert "Change the hours" not in policy


def test_it_refuses_every_change_by_a_principal(client_for, personas):
    contact = OnCallContact.objects.create(
        school=personas.school_a, user=personas.counselor_a, position=1
    )
    client = client_for(personas.principal_a)
    district = personas.school_a.district_id
    for path, data in [
        ("policy/", {"retention_days": 30}),
        (f"on-call/{contact.id}/remove/", {}),
        (f"on-call/schools/{personas.school_a.id}/add/", {}),
        (f"staff/{personas.counselor_a.id}/active/", {"active": "0"}),
        ("numbers/", {"number": "+13035559999"}),
    ]:
        response = client.post(f"/staff/district/{district}/{path}", data)
        assert response.status_code == 403, path
    assert OnCallContact.objects.filter(id=contact.id).exists()
    assert not AdminChange.objects.exists()


def test_it_404s_ids_of_another_district_to_an_admin(client_for, personas):
    other = personas.school_c
    number = PhoneNumberFactory(school=other)
    source = Source.objects.create(district=other.district, kind=SourceKind.PUSH, name="Far")
    contact = OnCallContact.objects.create(
        school=other, user=personas.other_district_admin, position=1
    )
    client = client_for(personas.district_admin)
    district = personas.school_a.district_id
    for path, data in [
        (f"staff/{personas.other_district_admin.id}/", None),
        (f"staff/{personas.other_district_admin.id}/active/", {"active": "0"}),
        (f"schools/{other.id}/hours/", None),
        (f"on-call/schools/{other.id}/add/", {"school-1-user": personas.district_admin.id}),
        (f"on-call/{contact.id}/move/", {"direction": "up"}),
        (f"on-call/{contact.id}/remove/", {}),
        (f"numbers/{number.id}/remove/", {}),
        (f"sources/{source.id}/rotate/", {}),
        (f"sources/{source.id}/enabled/", {"enabled": "0"}),
    ]:
        url = f"/staff/district/{district}/{path}"
        response = client.get(url) if data is None else client.post(url, data)
        assert response.status_code == 404, path
    # Nothing of the other district moved.
    assert PhoneNumber.objects.filter(id=number.id).exists()
    assert OnCallContact.objects.filter(id=contact.id).exists()
    source.refresh_from_db()
    assert source.enabled and source.push_token_digest is None
    assert personas.other_district_admin.is_active
    assert not AdminChange.objects.exists()


def test_it_takes_each_person_to_their_own_district(client_for, personas):
    response = client_for(personas.other_district_admin).get("/staff/district/")
    assert response["Location"] == f"/staff/district/{personas.school_c.district_id}/"
    response = client_for(personas.principal_a).get("/staff/district/")
    assert response["Location"] == f"/staff/district/{personas.school_a.district_id}/"
    assert client_for(personas.counselor_a).get("/staff/district/").status_code == 403


def test_it_shows_the_district_in_the_navigation_of_admins_and_principals(client_for, personas):
    for persona, shown in [
        (personas.district_admin, True),
        (personas.principal_a, True),
        (personas.counselor_a, False),
    ]:
        page = client_for(persona).get("/accounts/home/").content.decode()
        assert ('href="/staff/district/"' in page) is shown, persona


def test_it_speaks_spanish_to_a_spanish_reader(client_for, personas, settings):
    client = client_for(personas.district_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    text = client.get(_path(personas, "staff/")).content.decode()
    assert "Invitar a una persona del personal" in text and "Listas de guardia" in text
