"""Django's admin site is for operators (superusers) only; the changes log is read-only there."""

import pytest

from accounts.models import AdminChange, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_opens_the_admin_site_to_superusers_only(client, personas, settings):
    staff_flag_only = UserFactory(email="flag@example.org", is_staff=True)
    client.force_login(staff_flag_only)
    response = client.get(f"/{settings.ADMIN_URL}")
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(personas.district_admin)
    assert client.get(f"/{settings.ADMIN_URL}").status_code == 302
    operator = User.objects.create_superuser(email="op@example.org", password="x" * 20)
    client.force_login(operator)
    assert client.get(f"/{settings.ADMIN_URL}").status_code == 200


def test_it_shows_the_changes_log_read_only(client, personas, settings):
    AdminChange.objects.create(
        district=personas.school_a.district,
        actor=personas.district_admin,
        kind=AdminChange.Kind.NUMBER_ADDED,
        target="+13035550142",
    )
    client.force_login(User.objects.create_superuser(email="op@example.org", password="x" * 20))
    base = f"/{settings.ADMIN_URL}accounts/adminchange/"
    listing = client.get(base)
    assert listing.status_code == 200 and "+13035550142" in listing.content.decode()
    assert client.get(f"{base}add/").status_code == 403
