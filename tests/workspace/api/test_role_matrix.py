"""The role matrix on every endpoint: the same scope as the staff pages, out of scope is 404.

Personas (tests/personas.py): counselor A, principal A, counselor B, the district admin, and
the admin of another district. Anonymous requests are 401.
"""

import pytest
from rest_framework.test import APIClient

from tests.factories import case_factory

PERSONAS = ["counselor_a", "principal_a", "counselor_b", "district_admin", "other_district_admin"]


@pytest.fixture
def world(personas, case_a, alert_a, source):
    life_safety = case_factory(personas.school_a, category="weapon", alias="Elk")
    district = personas.school_a.district
    return {
        "case": f"/api/v1/cases/{case_a.id}/",
        "life_safety": f"/api/v1/cases/{life_safety.id}/",
        "alert": f"/api/v1/alerts/{alert_a.id}/",
        "source": f"/api/v1/sources/{source.id}/",
        "school_summary": f"/api/v1/summaries/schools/{personas.school_a.id}/",
        "district_summary": f"/api/v1/summaries/districts/{district.id}/",
        "ids": {"case": case_a.id, "life_safety": life_safety.id, "alert": alert_a.id},
    }


# Expected status for each persona, in PERSONAS order.
READS = [
    ("case", [200, 404, 404, 200, 404]),
    ("life_safety", [200, 200, 404, 200, 404]),
    ("case", [200, 404, 404, 200, 404], "tips/"),
    ("alert", [200, 404, 404, 200, 404]),
    ("source", [404, 404, 404, 200, 404]),
    ("school_summary", [200, 200, 404, 200, 404]),
    ("district_summary", [404, 404, 404, 200, 404]),
]


@pytest.mark.parametrize("target", READS, ids=lambda t: "-".join(t[:1] + t[2:]))
def test_it_scopes_every_read_like_the_staff_pages(personas, api_as, world, target):
    name, expected, *suffix = target
    url = world[name] + (suffix[0] if suffix else "")
    got = [api_as(getattr(personas, who)).get(url).status_code for who in PERSONAS]
    assert got == expected
    assert APIClient().get(url).status_code == 401


LISTS = [
    ("/api/v1/cases/", [200, 200, 200, 200, 200]),
    ("/api/v1/alerts/", [200, 403, 200, 200, 200]),
    ("/api/v1/sources/", [403, 403, 403, 200, 200]),
]


@pytest.mark.parametrize("url, expected", LISTS)
def test_it_lists_only_what_is_in_scope(personas, api_as, world, url, expected):
    counts = {}
    for who, status in zip(PERSONAS, expected, strict=True):
        response = api_as(getattr(personas, who)).get(url)
        assert response.status_code == status, who
        if status == 200:
            counts[who] = response.json()["count"]
    assert APIClient().get(url).status_code == 401
    if url == "/api/v1/cases/":
        # Counselor A: both A cases; the principal: only the life-safety one; B and the other
        # district: none; the district admin: both.
        assert counts == {
            "counselor_a": 2,
            "principal_a": 1,
            "counselor_b": 0,
            "district_admin": 2,
            "other_district_admin": 0,
        }
    elif url == "/api/v1/alerts/":
        assert counts == {
            "counselor_a": 1,
            "counselor_b": 0,
            "district_admin": 1,
            "other_district_admin": 0,
        }
    else:
        assert counts == {"district_admin": 1, "other_district_admin": 0}


def _actions(world):
    case, life_safety = world["ids"]["case"], world["ids"]["life_safety"]
    return [
        (f"/api/v1/cases/{life_safety}/notes/", {"body": "checked"}),
        (f"/api/v1/cases/{case}/notes/", {"body": "checked"}),
        (f"/api/v1/cases/{case}/transition/", {"status": "triaged", "expected_version": 1}),
        (f"/api/v1/cases/{case}/assign/", {"assignee": None, "expected_version": 1}),
        (f"/api/v1/cases/{case}/messages/", {"reporter": 1, "body": "hello"}),
        (
            f"/api/v1/cases/{case}/merge/",
            {"into": life_safety, "expected_version": 1, "into_version": 1},
        ),
        (f"/api/v1/alerts/{world['ids']['alert']}/dismiss/", {"reason": "false_positive"}),
        (f"/api/v1/alerts/{world['ids']['alert']}/attach/", {"case": case}),
        (f"/api/v1/alerts/{world['ids']['alert']}/escalate/", {}),
        (world["source"] + "push-token/", {}),
    ]


@pytest.mark.parametrize("who", ["principal_a", "counselor_b", "other_district_admin"])
def test_it_hides_every_action_out_of_scope_as_404(personas, api_as, world, who):
    api = api_as(getattr(personas, who))
    for url, body in _actions(world):
        assert api.post(url, body, format="json").status_code == 404, url
    assert all(APIClient().post(url, body).status_code == 401 for url, body in _actions(world))


def test_it_lets_the_district_admin_act_at_every_school_of_the_district(personas, api_as, world):
    api = api_as(personas.district_admin)
    assert api.post(world["source"] + "push-token/").status_code == 201
    note = api.post(f"/api/v1/cases/{world['ids']['case']}/notes/", {"body": "seen"})
    assert note.status_code == 201
    escalated = api.post(f"/api/v1/alerts/{world['ids']['alert']}/escalate/")
    assert escalated.status_code == 201 and escalated.json()["channel"] == "social"
