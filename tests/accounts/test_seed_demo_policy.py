"""`seed_demo_policy`: the demo district pages its next contact every minute; no other
district's call-down and no default changes."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import District, DistrictPolicy
from accounts.policies import district_policy

from ..factories import DistrictFactory

pytestmark = pytest.mark.django_db


def test_it_needs_the_demo_district():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_policy")
    assert not DistrictPolicy.objects.exists()


def test_it_shortens_the_demo_districts_call_down_step_only(capsys):
    other = DistrictFactory(slug="elsewhere")
    DistrictPolicy.objects.create(district=other, calldown_step_seconds=120)
    call_command("seed_demo")
    call_command("seed_demo_policy")
    call_command("seed_demo_policy")  # idempotent

    demo = District.objects.get(slug="front-range-demo")
    assert DistrictPolicy.objects.get(district=demo).calldown_step_seconds == 60
    assert DistrictPolicy.objects.get(district=other).calldown_step_seconds == 120
    assert DistrictPolicy.objects.count() == 2
    assert "every 60 s" in capsys.readouterr().out


def test_it_keeps_the_default_for_districts_without_a_policy():
    district = DistrictFactory(slug="no-policy")
    assert district_policy(district.id).calldown_step_seconds == 300
