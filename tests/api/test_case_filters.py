"""The case list's date filters: any ISO 8601 instant Python reads is a 200 or a 400, never a
database error (PostgreSQL refuses offsets past 15:59; instants near year 1 or 9999 have no
UTC time)."""

from datetime import timedelta, timezone

import pytest


@pytest.mark.parametrize(
    ("created", "status"),
    [
        ("2026-03-02T08:15:00Z", 200),
        ("3094-05-30T20:58:40+16:52", 200),
        ("2026-03-02T08:15:00-23:59", 200),
        ("9999-12-31T23:59:59-12:00", 400),
        ("0001-01-01T00:00:00+01:00", 400),
        ("2026-13-01T00:00:00Z", 400),
        ("yesterday", 400),
    ],
)
def test_it_answers_odd_instants_without_a_server_error(personas, api_as, case_a, created, status):
    api = api_as(personas.counselor_a)
    for name in ("created_after", "created_before"):
        response = api.get("/api/v1/cases/", {name: created})
        assert response.status_code == status, name
        if status == 400:
            assert name in response.json()["error"]["fields"]


def test_it_compares_in_utc_whatever_the_offset(personas, api_as, case_a):
    api = api_as(personas.counselor_a)
    far_east = timezone(timedelta(hours=14))
    just_after = (case_a.created_at + timedelta(minutes=1)).astimezone(far_east).isoformat()
    just_before = (case_a.created_at - timedelta(minutes=1)).astimezone(far_east).isoformat()
    found = api.get("/api/v1/cases/", {"created_after": just_before, "created_before": just_after})
    assert [case["id"] for case in found.json()["results"]] == [case_a.id]
    empty = api.get("/api/v1/cases/", {"created_after": just_after})
    assert empty.json()["results"] == []
