"""Every action on the case page, through the views, with real services."""

import pytest

from cases.models import Case, CaseEvent, CaseStatus, CaseWatcher, Priority
from tests.factories import case_factory
from tests.workspace.helpers import posted
from tipline.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    return case_factory(personas.school_a, alias="Blue Heron")


def _url(case, action):
    return f"/staff/cases/{case.id}/{action}/"


def _fresh(case):
    return Case.objects.get(id=case.id)


def test_it_offers_only_the_moves_the_lifecycle_allows(client_for, personas, case):
    client = client_for(personas.counselor_a)
    form = client.get(f"/staff/cases/{case.id}/").context["status_form"]
    assert [value for value, _ in form.fields["status"].choices] == ["triaged", "in_progress"]
    response = posted(client, _url(case, "status"), {"status": "triaged", "version": 1})
    assert response.status_code == 302 and _fresh(case).status == CaseStatus.TRIAGED
    refused = posted(client, _url(case, "status"), {"status": "new", "version": 2})
    assert refused.status_code == 400 and _fresh(case).status == CaseStatus.TRIAGED


def test_it_refuses_a_stale_page_instead_of_overwriting(client_for, personas, case):
    client = client_for(personas.counselor_a)
    posted(client, _url(case, "status"), {"status": "triaged", "version": 1})
    stale = posted(client, _url(case, "status"), {"status": "in_progress", "version": 1})
    assert stale.status_code == 409
    assert "Someone else changed this case" in stale.content.decode()
    assert _fresh(case).status == CaseStatus.TRIAGED
    htmx = posted(
        client, _url(case, "priority"), {"priority": 2, "reason": "x", "version": 1}, htmx=True
    )
    html = htmx.content.decode()
    assert htmx.status_code == 200 and "<html" not in html
    assert 'hx-swap-oob="innerHTML">Someone else changed this case' in html
    assert _fresh(case).priority == Priority.ROUTINE


def test_it_requires_an_outcome_and_summary_to_resolve(client_for, personas, case):
    client = client_for(personas.counselor_a)
    missing = posted(client, _url(case, "resolve"), {"outcome": "", "summary": "", "version": 1})
    assert missing.status_code == 400 and _fresh(case).status == CaseStatus.NEW
    assert "This field is required." in missing.content.decode()
    done = posted(
        client,
        _url(case, "resolve"),
        {"outcome": "counseling_referral", "summary": "Met the student", "version": 1},
    )
    assert done.status_code == 302
    fresh = _fresh(case)
    assert (fresh.status, fresh.outcome, fresh.outcome_summary) == (
        CaseStatus.RESOLVED,
        "counseling_referral",
        "Met the student",
    )
    assert posted(client, _url(case, "close"), {"version": fresh.version}).status_code == 302
    assert _fresh(case).status == CaseStatus.CLOSED


def test_it_reopens_only_with_a_reason(client_for, personas, case):
    client = client_for(personas.counselor_a)
    posted(
        client,
        _url(case, "resolve"),
        {"outcome": "unfounded", "summary": "no", "close": "on", "version": 1},
    )
    version = _fresh(case).version
    assert _fresh(case).status == CaseStatus.CLOSED
    assert posted(client, _url(case, "reopen"), {"version": version}).status_code == 400
    posted(client, _url(case, "reopen"), {"reason": "new tip came in", "version": version})
    assert _fresh(case).status == CaseStatus.IN_PROGRESS
    event = case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).last()
    assert event.staff_reason == "new tip came in" and "reason" not in event.data


def test_it_assigns_only_to_staff_of_that_school(client_for, personas, case):
    client = client_for(personas.counselor_a)
    choices = client.get(f"/staff/cases/{case.id}/").context["assign_form"].fields["assignee"]
    assert set(choices.queryset) == {personas.counselor_a, personas.district_admin}
    other = posted(
        client, _url(case, "assign"), {"assignee": personas.counselor_b.id, "version": 1}
    )
    assert other.status_code == 400 and _fresh(case).assignee is None
    posted(client, _url(case, "assign"), {"assignee": personas.counselor_a.id, "version": 1})
    assert _fresh(case).assignee == personas.counselor_a


def test_it_changes_priority_with_a_reason_and_tags(client_for, personas, case):
    client = client_for(personas.counselor_a)
    assert posted(client, _url(case, "priority"), {"priority": 2, "version": 1}).status_code == 400
    posted(client, _url(case, "priority"), {"priority": 2, "reason": "a pattern", "version": 1})
    fresh = _fresh(case)
    assert (fresh.priority, fresh.priority_source, fresh.priority_reason) == (
        Priority.URGENT,
        "counselor",
        "a pattern",
    )
    posted(client, _url(case, "tags"), {"categories": ["bullying", "fight"], "version": 2})
    assert set(case.tags.values_list("category", flat=True)) == {"bullying", "fight"}


def test_it_messages_the_tipster_and_keeps_notes_internal(client_for, personas, case):
    client = client_for(personas.counselor_a)
    reporter = case.tips.get().reporter
    response = posted(
        client, _url(case, "reply"), {"reporter": reporter.id, "body": "Hi"}, htmx=True
    )
    assert 'hx-swap-oob="innerHTML">Your message was sent' in response.content.decode()
    assert Message.objects.get().channel == "web"
    posted(client, _url(case, "notes"), {"body": "dean informed"})
    assert case.notes.get().body == "dean informed"
    assert Message.objects.count() == 1


def test_it_acknowledges_a_life_safety_case_in_one_click(client_for, personas):
    case = case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    client = client_for(personas.counselor_a)
    assert (
        "Acknowledge: I have this case" in client.get(f"/staff/cases/{case.id}/").content.decode()
    )
    posted(client, _url(case, "acknowledge"))
    assert _fresh(case).acknowledged_at is not None
    event = case.events.get(kind=CaseEvent.Kind.ACKNOWLEDGED)
    assert (event.actor, event.data["first"]) == (personas.counselor_a, True)


def test_it_assigns_the_acknowledger_and_says_so(client_for, personas):
    case = case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    response = posted(client_for(personas.counselor_a), _url(case, "acknowledge"), htmx=True)
    html = response.content.decode()
    assert "the case is assigned to you" in html
    assert _fresh(case).assignee == personas.counselor_a
    assert "Alice Counselor took the case by acknowledging it" in html


def test_it_shows_the_audit_trail_as_sentences_not_data(client_for, personas, case):
    posted(
        client_for(personas.counselor_a),
        _url(case, "assign"),
        {"assignee": personas.counselor_a.id, "version": case.version},
    )
    html = (
        client_for(personas.district_admin).get(f"/staff/cases/{case.id}/audit/").content.decode()
    )
    assert "Alice Counselor took the case" in html
    assert "{&#x27;changes&#x27;" not in html and "assignee_id" not in html


def test_it_watches_and_unwatches(client_for, personas, case):
    client = client_for(personas.counselor_a)
    posted(client, _url(case, "watch"))
    assert CaseWatcher.objects.filter(case=case, user=personas.counselor_a).exists()
    posted(client, _url(case, "unwatch"))
    assert not CaseWatcher.objects.exists()


def test_it_merges_a_duplicate_found_by_reference_within_scope(client_for, personas, case):
    duplicate = case_factory(personas.school_a, body="same fight", alias="Red Fox")
    elsewhere = case_factory(personas.school_b, alias="Blue Heron")
    client = client_for(personas.counselor_a)
    outside = posted(
        client, _url(case, "merge"), {"merge-reference": elsewhere.reference, "merge-version": 1}
    )
    assert outside.status_code == 400 and _fresh(elsewhere).merged_into is None
    assert "No open case with that reference" in outside.content.decode()
    posted(
        client, _url(case, "merge"), {"merge-reference": duplicate.reference, "merge-version": 1}
    )
    assert _fresh(duplicate).merged_into_id == case.id
    assert case.tips.count() == 2
    html = client.get(f"/staff/cases/{case.id}/").content.decode()
    assert "same fight" in html and f"Case {duplicate.reference} merged into this one" in html


def test_it_links_and_unlinks_related_cases(client_for, personas, case):
    other = case_factory(personas.school_a, alias="Blue Heron")
    client = client_for(personas.counselor_a)
    posted(client, _url(case, "link"), {"link-reference": other.reference, "link-version": 1})
    assert list(case.related_cases.all()) == [other]
    posted(
        client,
        _url(case, "link"),
        {"link-reference": other.reference, "link-version": 1, "unlink": "1"},
    )
    assert not case.related_cases.exists()
