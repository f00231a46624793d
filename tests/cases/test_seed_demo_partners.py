"""`seed_demo_partners`: the demo district gets one police department and one officer, once."""

import pytest
from django.core.management import CommandError, call_command

from cases.models import PartnerAgency, PartnerContact

pytestmark = pytest.mark.django_db


def test_it_needs_the_demo_district():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_partners")
    assert not PartnerAgency.objects.exists()


def test_it_adds_the_demo_police_once():
    call_command("seed_demo")
    call_command("seed_demo_partners")
    call_command("seed_demo_partners")  # idempotent
    agency = PartnerAgency.objects.get()
    assert (agency.district.slug, agency.kind, agency.is_active) == (
        "front-range-demo",
        "police",
        True,
    )
    assert PartnerContact.objects.get().email == "officer@police.demo.tipline.test"
