"""The whole case workflow driven through the API, over the real services."""

from cases.models import CaseEvent, CaseNote, CaseStatus, Outcome
from tests.factories import case_factory
from tipline.models import Message

API = "/api/v1/cases/"


def test_it_lists_and_details_a_case_with_its_timeline(personas, api_as, case_a):
    api = api_as(personas.counselor_a)
    listed = api.get(API).json()
    assert [row["reference"] for row in listed["results"]] == [case_a.reference]
    detail = api.get(f"{API}{case_a.id}/").json()
    assert detail["version"] == case_a.version
    assert detail["tips"][0]["body"] == "tip text"
    assert detail["reporters"][0]["alias"] == "Fox"
    kinds = [event["kind"] for event in detail["timeline"]]
    assert kinds[:2] == ["created", "tip_added"]
    # Reading is recorded in the audit trail, as on the staff page.
    assert case_a.events.filter(kind=CaseEvent.Kind.VIEWED, actor=personas.counselor_a).exists()


def test_it_drives_transition_assign_note_message_and_resolve(personas, api_as, case_a):
    api = api_as(personas.counselor_a)
    version = case_a.version
    response = api.post(
        f"{API}{case_a.id}/transition/", {"status": "triaged", "expected_version": version}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == CaseStatus.TRIAGED
    version = response.json()["version"]
    assert version == case_a.version + 1

    response = api.post(
        f"{API}{case_a.id}/assign/",
        {"assignee": personas.counselor_a.id, "expected_version": version},
    )
    assert (
        response.status_code == 200 and response.json()["assignee"]["id"] == personas.counselor_a.id
    )
    version = response.json()["version"]

    response = api.post(f"{API}{case_a.id}/notes/", {"body": "Called the family."})
    assert response.status_code == 201
    assert CaseNote.objects.get(case=case_a).body == "Called the family."

    reporter_id = api.get(f"{API}{case_a.id}/").json()["reporters"][0]["id"]
    response = api.post(
        f"{API}{case_a.id}/messages/", {"reporter": reporter_id, "body": "Thank you, we are on it."}
    )
    assert response.status_code == 201
    assert Message.objects.get(case=case_a).body == "Thank you, we are on it."

    response = api.post(
        f"{API}{case_a.id}/transition/",
        {
            "status": "resolved",
            "expected_version": version,
            "outcome": Outcome.COUNSELING_REFERRAL,
            "summary": "Referred to counseling.",
        },
    )
    assert response.status_code == 200, response.json()
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.RESOLVED and case_a.outcome == Outcome.COUNSELING_REFERRAL


def test_it_answers_a_stale_version_with_409_and_the_error_body(personas, api_as, case_a):
    api = api_as(personas.counselor_a)
    stale = case_a.version
    api.post(f"{API}{case_a.id}/transition/", {"status": "triaged", "expected_version": stale})
    response = api.post(
        f"{API}{case_a.id}/transition/", {"status": "in_progress", "expected_version": stale}
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "stale" and "Someone else changed this case" in error["message"]
    assert error["fields"] == {}
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.TRIAGED


def test_it_refuses_a_move_the_lifecycle_forbids_with_400(personas, api_as, case_a):
    api = api_as(personas.counselor_a)
    response = api.post(
        f"{API}{case_a.id}/transition/", {"status": "resolved", "expected_version": case_a.version}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    response = api.post(f"{API}{case_a.id}/transition/", {"status": "flying"})
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"status", "expected_version"}


def test_it_refuses_assigning_staff_of_another_school(personas, api_as, case_a):
    api = api_as(personas.counselor_a)
    for assignee in (personas.counselor_b.id, 999_999):
        response = api.post(
            f"{API}{case_a.id}/assign/", {"assignee": assignee, "expected_version": case_a.version}
        )
        assert response.status_code == 400
    case_a.refresh_from_db()
    assert case_a.assignee is None


def test_it_merges_a_duplicate_into_a_survivor(personas, api_as, case_a):
    survivor = case_factory(personas.school_a, alias="Elk")
    api = api_as(personas.counselor_a)
    response = api.post(
        f"{API}{case_a.id}/merge/",
        {"into": survivor.id, "expected_version": case_a.version, "into_version": survivor.version},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == survivor.id
    case_a.refresh_from_db()
    assert case_a.merged_into_id == survivor.id and case_a.status == CaseStatus.CLOSED
    assert survivor.tips.count() == 2
    stale = api.post(
        f"{API}{survivor.id}/merge/",
        {"into": case_a.id, "expected_version": 1, "into_version": 1},
    )
    assert stale.status_code == 409


def test_it_filters_and_orders_the_case_list(personas, api_as, case_a):
    urgent = case_factory(personas.school_a, category="weapon", alias="Elk")
    api = api_as(personas.district_admin)
    rows = api.get(API, {"priority": 1}).json()["results"]
    assert [row["id"] for row in rows] == [urgent.id]
    rows = api.get(API, {"ordering": "-created_at"}).json()["results"]
    assert [row["id"] for row in rows][:2] == [urgent.id, case_a.id]
    assert api.get(API, {"status": "closed"}).json()["count"] == 0
    response = api.get(API, {"status": "nonsense"})
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]


def test_it_lists_a_cases_tips(personas, api_as, case_a):
    tips = api_as(personas.counselor_a).get(f"{API}{case_a.id}/tips/").json()
    assert [tip["body"] for tip in tips] == ["tip text"]
