import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import Membership, OnCallContact, PhoneNumber, School, User

pytestmark = pytest.mark.django_db


def _snapshot():
    rows = {}
    for model in apps.get_app_config("accounts").get_models():
        rows[model.__name__] = sorted(tuple(sorted(row.items())) for row in model.objects.values())
    return rows


def test_it_leaves_the_same_rows_when_run_twice(capsys):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    output = capsys.readouterr().out
    assert "admin@demo.tipline.test" in output and DEMO_PASSWORD in output


def test_it_builds_the_demo_district():
    call_command("seed_demo")
    assert School.objects.count() == 2
    assert User.objects.count() == 5
    assert Membership.objects.count() == 4
    assert OnCallContact.objects.count() == 4
    assert PhoneNumber.objects.filter(school__isnull=True).count() == 1
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)


def test_it_keeps_an_on_call_order_the_demo_admin_changed(client):
    """The README tour reorders Lincoln's list on the district pages; `make run` seeds again."""
    call_command("seed_demo")
    admin = User.objects.get(email="admin@demo.tipline.test")
    school = School.objects.get(slug="lincoln-high")
    principal = OnCallContact.objects.get(school=school, position=2)
    client.force_login(admin)
    response = client.post(
        f"/staff/district/{school.district_id}/on-call/{principal.id}/move/", {"direction": "up"}
    )
    assert response.status_code == 302
    call_command("seed_demo")
    first = OnCallContact.objects.get(school=school, position=1)
    assert first.user == principal.user and OnCallContact.objects.count() == 4
