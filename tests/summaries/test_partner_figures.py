"""Staff-entered tips and shares with partners in the summaries: counted per case, small
counts hidden like every other figure."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Channel, PartnerAgency, PartnerContact, PartnerKind
from cases.services.shares import case_share_create
from tests.factories import case_factory

pytestmark = pytest.mark.django_db


def _table(client, school, slug: str) -> dict[str, list[str]]:
    month = timezone.localdate().strftime("%Y-%m")
    url = reverse("summaries:school_csv", args=[school.pk, slug]) + f"?period={month}"
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    return {row[0]: row[1:] for row in rows[1:]}


def _contact(district, kind: str, name: str) -> PartnerContact:
    agency = PartnerAgency.objects.create(district=district, name=name, kind=kind)
    return PartnerContact.objects.create(agency=agency, name="Desk", email=f"{kind}@example.org")


def test_it_counts_referrals_to_law_enforcement_and_shares_by_kind(client_for, personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 0
    district = personas.school_a.district
    police = _contact(district, PartnerKind.POLICE, "City PD")
    sheriff = _contact(district, PartnerKind.SHERIFF, "County Sheriff")
    crisis = _contact(district, PartnerKind.CRISIS_CENTRE, "Crisis Line")
    cases = [case_factory(personas.school_a) for _ in range(4)]
    actor = personas.counselor_a
    case_share_create(case=cases[0], contact=police, actor=actor)
    case_share_create(case=cases[0], contact=police, actor=actor)  # twice: one case
    case_share_create(case=cases[1], contact=sheriff, actor=actor)
    case_share_create(case=cases[1], contact=crisis, actor=actor)
    case_share_create(case=cases[2], contact=crisis, actor=actor)
    table = _table(client_for(personas.principal_a), personas.school_a, "partners")
    assert table["Referred to law enforcement (police or sheriff)"][0] == "2"
    assert table["Shared with: Police"][0] == "1"
    assert table["Shared with: Sheriff"][0] == "1"
    assert table["Shared with: Crisis centre"][0] == "2"
    assert table["Shared with: Child protective services"][0] == "0"
    assert table["Shared with any partner"][0] == "3"


def test_it_hides_small_counts_of_shares(client_for, personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 5
    police = _contact(personas.school_a.district, PartnerKind.POLICE, "City PD")
    for _ in range(2):
        case = case_factory(personas.school_a)
        case_share_create(case=case, contact=police, actor=personas.counselor_a)
    table = _table(client_for(personas.principal_a), personas.school_a, "partners")
    assert table["Referred to law enforcement (police or sheriff)"][0] == "<5"
    assert table["Shared with: Police"][0] == "<5"
    assert table["Shared with any partner"][0] == "<5"
    assert "2" not in {row[0] for row in table.values()}


def test_it_counts_staff_entered_tips_in_the_channel_breakdown(client_for, personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 0
    for _ in range(3):
        case_factory(personas.school_a, channel=Channel.STAFF)
    case_factory(personas.school_a)
    table = _table(client_for(personas.principal_a), personas.school_a, "channels")
    assert table["Entered by staff"][0] == "3" and table["Web form"][0] == "1"
