"""The role matrix: every case URL and action against every persona. Out of scope is 404."""

import pytest

from cases.models import Case, CaseEvent
from tests.factories import case_factory

pytestmark = pytest.mark.django_db

# (name, method, path under /staff/cases/<id>/, data); {other} is a second case's reference,
# {reporter} the case's tipster. Attachments have their own denial tests (test_staff_cases).
ENDPOINTS = [
    ("detail", "get", "", {}),
    ("reply", "post", "reply/", {"reporter": "{reporter}", "body": "hello"}),
    ("status", "post", "status/", {"status": "triaged", "version": 1}),
    ("resolve", "post", "resolve/", {"outcome": "other", "summary": "s", "version": 1}),
    ("close", "post", "close/", {"version": 1}),
    ("reopen", "post", "reopen/", {"reason": "r", "version": 1}),
    ("assign", "post", "assign/", {"assignee": "", "version": 1}),
    ("priority", "post", "priority/", {"priority": 2, "reason": "r", "version": 1}),
    ("tags", "post", "tags/", {"categories": ["fight"], "version": 1}),
    ("note", "post", "notes/", {"body": "n"}),
    ("acknowledge", "post", "acknowledge/", {}),
    ("watch", "post", "watch/", {}),
    ("unwatch", "post", "unwatch/", {}),
    ("merge", "post", "merge/", {"merge-reference": "{other}", "merge-version": 1}),
    ("link", "post", "link/", {"link-reference": "{other}", "link-version": 1}),
    ("audit", "get", "audit/", {}),
    ("audit_csv", "get", "audit.csv", {}),
]
READ = {"detail"}
READER_ACTIONS = {"acknowledge", "watch", "unwatch"}  # on-call principals acknowledge too
AUDIT = {"audit", "audit_csv"}
PERSONAS = ["counselor_a", "counselor_b", "principal_a", "district_admin", "other_district_admin"]


def _expect_allowed(persona: str, name: str, life_safety: bool) -> bool:
    if persona in ("counselor_b", "other_district_admin"):
        return False
    if name in AUDIT:
        return persona == "district_admin"
    if persona == "principal_a":
        return life_safety and (name in READ or name in READER_ACTIONS)
    return True


def _call(client, case, other, method, path, data):
    reporter = case.tips.get().reporter_id
    data = {
        k: (v.format(other=other.reference, reporter=reporter) if isinstance(v, str) else v)
        for k, v in data.items()
    }
    return getattr(client, method)(f"/staff/cases/{case.id}/{path}", data)


@pytest.mark.parametrize("life_safety", [True, False], ids=["life_safety", "routine"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_allows_or_404s_each_persona(client_for, personas, persona, endpoint, life_safety):
    name, method, path, data = endpoint
    case = case_factory(
        personas.school_a, category="weapon" if life_safety else "bullying", alias="Blue Heron"
    )
    other = case_factory(personas.school_a, alias="Blue Heron")
    if name == "close":  # closing needs a resolved case (or an outcome)
        Case.objects.filter(id=case.id).update(status="resolved", outcome="other")
    client = client_for(getattr(personas, persona))
    events_before = CaseEvent.objects.filter(case=case).exclude(kind="viewed").count()
    response = _call(client, case, other, method, path, data)
    if _expect_allowed(persona, name, life_safety):
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 404
        after = CaseEvent.objects.filter(case=case).exclude(kind="viewed").count()
        assert after == events_before  # nothing was written


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_it_sends_anonymous_users_to_sign_in(client, personas, endpoint):
    _name, method, path, data = endpoint
    case = case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    response = _call(client, case, case, method, path, data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", [*PERSONAS, None])
def test_it_exports_the_district_audit_trail_to_its_admins_only(
    client, client_for, personas, persona
):
    case_factory(personas.school_a, alias="Blue Heron")
    if persona is None:
        assert client.get("/staff/audit.csv").status_code == 302
        return
    response = client_for(getattr(personas, persona)).get("/staff/audit.csv")
    if persona.endswith("district_admin"):  # each admin gets their own district's trail
        assert response.status_code == 200
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert lines[0].startswith("when_utc,case,school,who")
        assert ("Lincoln High" in "".join(lines)) == (persona == "district_admin")
    else:
        assert response.status_code == 404


def test_it_shows_the_case_audit_trail_and_records_reading_it(client_for, personas):
    case = case_factory(personas.school_a, alias="Blue Heron")
    client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/")
    client = client_for(personas.district_admin)
    html = client.get(f"/staff/cases/{case.id}/audit/").content.decode()
    assert "alice@example.org" in html and "Viewed" in html
    csv = b"".join(client.get(f"/staff/cases/{case.id}/audit.csv").streaming_content).decode()
    assert f"{case.reference},Lincoln High,alice@example.org" in csv
    assert case.events.filter(kind="viewed", data__what="audit trail").exists()
