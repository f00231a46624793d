"""The district's settings in the product: on-call lists and their order (which the call-down
follows), school SMS numbers, alert sources and their tokens, the policy and school hours.
Each change is one entry on the changes page; a refused change saves nothing."""

import re

import pytest

from accounts.models import AdminChange, DistrictPolicy, OnCallContact, PhoneNumber
from accounts.policies import district_policy
from alerts.models import Source, SourceKind
from alerts.services import source_for_push_token
from cases.models import Priority
from cases.services.calldown import calldown_plan
from tests.factories import PhoneNumberFactory, case_factory

pytestmark = pytest.mark.django_db


def _url(personas, path: str) -> str:
    return f"/staff/district/{personas.school_a.district_id}/{path}"


def _kinds() -> list[str]:
    return list(AdminChange.objects.order_by("id").values_list("kind", flat=True))


# --- On-call -------------------------------------------------------------------------------


def _add(client, personas, user, school=None):
    school = school or personas.school_a
    return client.post(
        _url(personas, f"on-call/schools/{school.id}/add/"), {f"school-{school.id}-user": user.id}
    )


def test_it_builds_and_reorders_the_list_the_call_down_follows(client_for, personas):
    client = client_for(personas.district_admin)
    for user in (personas.counselor_a, personas.principal_a, personas.district_admin):
        assert _add(client, personas, user).status_code == 302
    principal = OnCallContact.objects.get(user=personas.principal_a)
    assert (
        client.post(
            _url(personas, f"on-call/{principal.id}/move/"), {"direction": "up"}
        ).status_code
        == 302
    )
    order = list(
        OnCallContact.objects.filter(school=personas.school_a)
        .order_by("position")
        .values_list("user__email", "position")
    )
    assert order == [
        ("paul@example.org", 1),
        ("alice@example.org", 2),
        ("dana@example.org", 3),
    ]
    case = case_factory(personas.school_a, priority=Priority.LIFE_SAFETY)
    steps = [[user.email for user in step.users] for step in calldown_plan(case)]
    assert steps[:3] == [["paul@example.org"], ["alice@example.org"], ["dana@example.org"]]
    reordered = AdminChange.objects.get(kind=AdminChange.Kind.ON_CALL_REORDERED)
    assert reordered.data["after"][0] == "paul@example.org"
    assert reordered.school == personas.school_a

    # Top of the list cannot move up: nothing changes, nothing is recorded.
    client.post(_url(personas, f"on-call/{principal.id}/move/"), {"direction": "up"})
    assert AdminChange.objects.filter(kind=AdminChange.Kind.ON_CALL_REORDERED).count() == 1
    assert client.post(_url(personas, f"on-call/{principal.id}/move/"), {}).status_code == 400


def test_it_removes_a_contact_and_closes_the_gap(client_for, personas):
    client = client_for(personas.district_admin)
    _add(client, personas, personas.counselor_a)
    _add(client, personas, personas.principal_a)
    first = OnCallContact.objects.get(user=personas.counselor_a)
    assert client.post(_url(personas, f"on-call/{first.id}/remove/")).status_code == 302
    (left,) = OnCallContact.objects.filter(school=personas.school_a)
    assert left.user == personas.principal_a and left.position == 1
    assert _kinds()[-1] == AdminChange.Kind.ON_CALL_REMOVED


def test_it_puts_only_the_schools_own_staff_on_its_list(client_for, personas):
    client = client_for(personas.district_admin)
    response = _add(client, personas, personas.counselor_b)  # Bob works at school B
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = _add(client, personas, personas.other_district_admin)
    assert response.status_code == 400
    assert not OnCallContact.objects.exists() and not AdminChange.objects.exists()


# --- SMS numbers ---------------------------------------------------------------------------


def test_it_adds_and_removes_school_numbers(client_for, personas):
    client = client_for(personas.district_admin)
    response = client.post(
        _url(personas, "numbers/"), {"number": "+1 303 555 0142", "school": personas.school_a.id}
    )
    assert response.status_code == 302
    row = PhoneNumber.objects.get(number="+13035550142")
    assert row.school == personas.school_a and row.district == personas.school_a.district
    shared = client.post(_url(personas, "numbers/"), {"number": "+13035550143", "school": ""})
    assert shared.status_code == 302
    assert PhoneNumber.objects.get(number="+13035550143").school is None
    assert client.post(_url(personas, f"numbers/{row.id}/remove/")).status_code == 302
    assert not PhoneNumber.objects.filter(number="+13035550142").exists()
    assert _kinds() == [
        AdminChange.Kind.NUMBER_ADDED,
        AdminChange.Kind.NUMBER_ADDED,
        AdminChange.Kind.NUMBER_REMOVED,
    ]


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("3035550142", "international form"),
        ("+0123", "international form"),
        ("", "This field is required"),
    ],
)
def test_it_refuses_a_number_not_in_e164(client_for, personas, number, message):
    response = client_for(personas.district_admin).post(
        _url(personas, "numbers/"), {"number": number}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not PhoneNumber.objects.exists() and not AdminChange.objects.exists()


def test_it_refuses_a_number_already_used_anywhere(client_for, personas):
    PhoneNumberFactory(number="+13035550150", school=personas.school_c)
    response = client_for(personas.district_admin).post(
        _url(personas, "numbers/"), {"number": "+13035550150", "school": personas.school_a.id}
    )
    assert response.status_code == 400
    assert "already receives tips" in response.content.decode()
    assert PhoneNumber.objects.get(number="+13035550150").school == personas.school_c


# --- Alert sources -------------------------------------------------------------------------


def _token_in(response) -> str:
    match = re.search(r'id="push-token" [^>]*value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()[-2000:]
    return match[1]


def test_it_creates_a_push_source_and_shows_its_token_once(client_for, personas):
    client = client_for(personas.district_admin)
    response = client.post(
        _url(personas, "sources/new/"),
        {
            "kind": "push",
            "name": "Vendor feed",
            "schools": [personas.school_a.id],
            "poll_interval_seconds": 300,
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = _token_in(response)
    source = Source.objects.get(name="Vendor feed")
    assert source_for_push_token(token) == source
    assert token not in source.push_token_digest
    change = AdminChange.objects.get(kind=AdminChange.Kind.SOURCE_CREATED)
    assert token not in str(change.data)
    # Never again: the list and the changes page do not carry it.
    for page in ("sources/", "changes/"):
        assert token not in client.get(_url(personas, page)).content.decode()


def test_it_rotates_a_token_and_the_old_one_stops_working(client_for, personas):
    client = client_for(personas.district_admin)
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Vendor"
    )
    first = _token_in(client.post(_url(personas, f"sources/{source.id}/rotate/")))
    second = _token_in(client.post(_url(personas, f"sources/{source.id}/rotate/")))
    assert first != second
    assert source_for_push_token(first) is None
    assert source_for_push_token(second) == source
    assert _kinds() == [AdminChange.Kind.SOURCE_TOKEN_ROTATED] * 2


def test_it_creates_a_polled_source_and_refuses_one_missing_its_feed(client_for, personas):
    client = client_for(personas.district_admin)
    missing = client.post(
        _url(personas, "sources/new/"),
        {
            "kind": "rss",
            "name": "News",
            "schools": [personas.school_a.id],
            "poll_interval_seconds": 300,
        },
    )
    assert missing.status_code == 400 and "needs: feed_url" in missing.content.decode()
    assert not Source.objects.exists()
    created = client.post(
        _url(personas, "sources/new/"),
        {
            "kind": "rss",
            "name": "News",
            "schools": [personas.school_a.id],
            "feed_url": "https://news.example/feed.xml",
            "poll_interval_seconds": 600,
        },
    )
    assert created.status_code == 302
    source = Source.objects.get(name="News")
    assert source.push_token_digest is None and list(source.schools.all()) == [personas.school_a]
    no_school = client.post(
        _url(personas, "sources/new/"),
        {
            "kind": "rss",
            "name": "Far",
            "schools": [personas.school_c.id],
            "feed_url": "https://news.example/2.xml",
            "poll_interval_seconds": 600,
        },
    )
    assert no_school.status_code == 400 and not Source.objects.filter(name="Far").exists()


def test_it_deactivates_a_source_and_refuses_its_token(client_for, personas):
    client = client_for(personas.district_admin)
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Vendor"
    )
    token = _token_in(client.post(_url(personas, f"sources/{source.id}/rotate/")))
    client.post(_url(personas, f"sources/{source.id}/enabled/"), {"enabled": "0"})
    assert source_for_push_token(token) is None
    client.post(_url(personas, f"sources/{source.id}/enabled/"), {"enabled": "1"})
    assert source_for_push_token(token) == source
    assert _kinds()[1:] == [AdminChange.Kind.SOURCE_DISABLED, AdminChange.Kind.SOURCE_ENABLED]


# --- Policy and hours ----------------------------------------------------------------------


def _policy_form(**changes) -> dict:
    values = {
        "life_safety_acknowledge_minutes": 5,
        "urgent_first_response_minutes": 240,
        "routine_first_response_school_days": 1,
        "calldown_step_seconds": 300,
        "retention_days": 365,
        "summary_suppression_threshold": 5,
        "critical_alert_action": "notify_on_call",
    }
    return {**values, **changes}


def test_it_changes_the_policy_that_new_cases_read(client_for, personas, settings):
    settings.TIPLINE_SCHOOL_CACHE_SECONDS = 300
    district = personas.school_a.district
    assert district_policy(district.id).calldown_step_seconds == 300  # now kept per process
    client = client_for(personas.district_admin)
    response = client.post(
        _url(personas, "policy/"),
        _policy_form(calldown_step_seconds=60, critical_alert_action="open_case"),
    )
    assert response.status_code == 302
    policy = DistrictPolicy.objects.get(district=district)
    assert policy.calldown_step_seconds == 60 and policy.critical_alert_action == "open_case"
    assert district_policy(district.id).calldown_step_seconds == 60
    change = AdminChange.objects.get(kind=AdminChange.Kind.POLICY_CHANGED)
    assert change.data["changes"]["calldown_step_seconds"] == ["300", "60"]
    text = client.get(_url(personas, "changes/")).content.decode()
    assert "life-safety call-down: wait before the next contact (seconds): 300 → 60" in text
    # Saving the same values again records nothing.
    client.post(
        _url(personas, "policy/"),
        _policy_form(calldown_step_seconds=60, critical_alert_action="open_case"),
    )
    assert AdminChange.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("summary_suppression_threshold", 1, "greater than or equal to 3"),
        ("calldown_step_seconds", 5, "greater than or equal to 30"),
        ("retention_days", "soon", "Enter a whole number"),
        ("critical_alert_action", "panic", "Select a valid choice"),
    ],
)
def test_it_refuses_a_policy_out_of_range(client_for, personas, field, value, message):
    response = client_for(personas.district_admin).post(
        _url(personas, "policy/"), _policy_form(**{field: value})
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not DistrictPolicy.objects.exists() and not AdminChange.objects.exists()


def test_it_changes_a_schools_hours_and_refuses_a_day_that_ends_first(client_for, personas):
    client = client_for(personas.district_admin)
    url = _url(personas, f"schools/{personas.school_a.id}/hours/")
    values = {
        "day_starts_at": "08:00",
        "day_ends_at": "15:30",
        "school_weekdays": "12345",
        "timezone": "America/Denver",
    }
    assert client.post(url, values).status_code == 302
    personas.school_a.refresh_from_db()
    assert personas.school_a.day_ends_at.strftime("%H:%M") == "15:30"
    assert _kinds() == [AdminChange.Kind.SCHOOL_HOURS_CHANGED]
    bad = client.post(url, {**values, "day_ends_at": "07:00"})
    assert bad.status_code == 400 and "must end after it starts" in bad.content.decode()
    bad_days = client.post(url, {**values, "school_weekdays": "1158"})
    assert bad_days.status_code == 400
    personas.school_a.refresh_from_db()
    assert personas.school_a.school_weekdays == "12345"
    assert len(_kinds()) == 1


def test_it_shows_changes_of_its_own_district_only(client_for, personas):
    client_for(personas.other_district_admin).post(
        f"/staff/district/{personas.school_c.district_id}/numbers/",
        {"number": "+13035550177"},
        follow=True,
    )
    assert AdminChange.objects.count() == 1
    text = client_for(personas.district_admin).get(_url(personas, "changes/")).content.decode()
    assert "+13035550177" not in text and "No changes yet" in text
