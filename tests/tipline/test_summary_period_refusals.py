"""Odd periods on every summary page, export, the annual report and the API: a readable 400,
never a 500, and the same answer everywhere (one validator)."""

import pytest
from django.urls import reverse

from tipline.summaries.periods import (
    ERROR_FUTURE,
    ERROR_TOO_EARLY,
    PeriodError,
    local_today,
    month_period,
    period_from_query,
    school_year_containing,
    school_year_from_query,
)

DENVER = "America/Denver"


def _next_month() -> str:
    return month_period(local_today(DENVER)).next().key


ODD_PERIODS = [
    "0001-01",
    "9999-12",
    "2026-13",
    "0000-01",
    "1969-12",
    "0001",
    "SY0001",
    "SY9999",
    "0001-W01",
    "9999-W52",
    "2025-W53",
    "0001-01-01..0001-01-02",
    "9999-12-30..9999-12-31",
    "2025-01-01..2029-01-01",
    "٢٠٢٥-٠٣",  # Arabic-Indic digits
    "2025-03; DROP TABLE tipline_case",
    "garbage",
    "x" * 5000,
    "2025-" + "9" * 4000,
    _next_month(),
]


def _endpoints(personas) -> list[tuple[str, str]]:
    """(kind, url) of every summary surface that takes ?period=."""
    school, district = personas.school_a.pk, personas.school_a.district_id
    return [
        ("page", reverse("summaries:school", args=[school])),
        ("csv", reverse("summaries:school_csv", args=[school, "all"])),
        ("csv", reverse("summaries:school_csv", args=[school, "categories"])),
        ("csv", reverse("summaries:school_case_list", args=[school])),
        ("page", reverse("summaries:district", args=[district])),
        ("csv", reverse("summaries:district_csv", args=[district, "schools"])),
        ("csv", reverse("summaries:district_case_list", args=[district])),
        ("api", f"/api/v1/summaries/schools/{school}/"),
        ("api", f"/api/v1/summaries/districts/{district}/"),
    ]


def _message(value: str) -> str:
    with pytest.raises(PeriodError) as refused:
        period_from_query(value, today=local_today(DENVER))
    return str(refused.value)


@pytest.mark.parametrize("value", ODD_PERIODS, ids=lambda v: repr(v[:24]))
def test_it_refuses_odd_periods_everywhere_with_the_same_message(client_for, personas, value):
    message = _message(value)
    client = client_for(personas.district_admin)
    for kind, url in _endpoints(personas):
        response = client.get(url, {"period": value})
        assert response.status_code == 400, url
        body = b"".join(response) if response.streaming else response.content
        if kind == "api":
            assert response.json()["error"]["fields"]["period"] == [message], url
        else:
            assert message in body.decode(), url
        if kind == "csv":
            assert response["Content-Type"].startswith("text/plain"), url


def test_it_says_why_a_period_is_refused():
    today = local_today(DENVER)
    assert _message("1969-12") == ERROR_TOO_EARLY
    assert _message(_next_month()) == ERROR_FUTURE
    # The current month has begun, though it has not ended: it is shown.
    assert period_from_query(month_period(today).key, today=today) == month_period(today)


@pytest.mark.parametrize(
    "year", ["1", "0001", "0", "-5", "99999", "9999", "1969", "2024.5", "x" * 3000, "٢٠٢٤"]
)
def test_it_refuses_odd_annual_report_years(client_for, personas, year):
    client = client_for(personas.district_admin)
    district = personas.school_a.district_id
    page = client.get(reverse("summaries:annual", args=[district]), {"year": year})
    assert page.status_code == 400
    assert "Showing the last complete school year instead." in page.content.decode()
    export = client.get(reverse("summaries:annual_csv", args=[district]), {"year": year})
    assert export.status_code == 400 and export["Content-Type"].startswith("text/plain")


def test_it_refuses_a_school_year_not_begun_and_links_to_none(client_for, personas):
    today = local_today(DENVER)
    current = school_year_containing(today)
    with pytest.raises(PeriodError, match="not begun"):
        school_year_from_query(str(current.first_day.year + 1), today=today)
    client = client_for(personas.district_admin)
    url = reverse("summaries:annual", args=[personas.school_a.district_id])
    page = client.get(url, {"year": current.first_day.year})
    assert page.status_code == 200
    assert f"?year={current.first_day.year + 1}" not in page.content.decode()
    assert f"?year={current.first_day.year - 1}" in page.content.decode()


def test_it_offers_no_link_to_a_period_not_begun(client_for, personas):
    this_month = month_period(local_today(DENVER))
    client = client_for(personas.principal_a)
    page = client.get(reverse("summaries:school", args=[personas.school_a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"?period={this_month.previous().key}" in html
    assert f"?period={this_month.next().key}" not in html
