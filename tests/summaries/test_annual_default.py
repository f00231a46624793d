"""The annual report opens the latest school year with data, not an empty one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from summaries.periods import local_today, school_year_containing
from tests.factories import case_factory

pytestmark = pytest.mark.django_db


def _opened_year(client_for, personas):
    district = personas.school_a.district
    response = client_for(personas.district_admin).get(
        f"/summaries/districts/{district.id}/annual-report/"
    )
    assert response.status_code == 200
    return response.context["period"]


def _this_year(personas):
    return school_year_containing(local_today(personas.school_a.district.timezone))


def test_it_opens_the_last_complete_year_when_it_has_cases(client_for, personas):
    last = _this_year(personas).previous()
    case_factory(personas.school_a, created_at=timezone.now() - timedelta(days=1))
    case_factory(personas.school_a, created_at=last.bounds("UTC")[0] + timedelta(days=40))
    assert _opened_year(client_for, personas) == last


def test_it_goes_back_to_the_latest_year_with_cases(client_for, personas):
    older = _this_year(personas).previous().previous().previous()
    case_factory(personas.school_b, created_at=older.bounds("UTC")[0] + timedelta(days=100))
    assert _opened_year(client_for, personas) == older


def test_it_opens_the_current_year_of_a_district_in_its_first_year(client_for, personas):
    case_factory(personas.school_a)
    assert _opened_year(client_for, personas) == _this_year(personas)


def test_it_opens_the_last_complete_year_without_any_case(client_for, personas):
    assert _opened_year(client_for, personas) == _this_year(personas).previous()


def test_it_still_refuses_a_year_not_begun_with_a_message(client_for, personas):
    district = personas.school_a.district
    next_year = _this_year(personas).first_day.year + 1
    response = client_for(personas.district_admin).get(
        f"/summaries/districts/{district.id}/annual-report/?year={next_year}"
    )
    assert response.status_code == 400
    assert "has not begun yet" in response.content.decode()
