"""Queues: scope, order, filters, search, counts, htmx, and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseEvent, CaseStatus, Priority
from cases.services.workflow import case_assign, case_note_add
from tests.factories import case_factory
from tipline.services.tips import message_to_reporter
from workspace import selectors

pytestmark = pytest.mark.django_db


def _references(response) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


def test_it_orders_life_safety_first_then_oldest(client_for, personas):
    routine_old = case_factory(personas.school_a, category="bullying", alias="Blue Heron")
    life = case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    routine_new = case_factory(personas.school_a, category="fight", alias="Blue Heron")
    response = client_for(personas.counselor_a).get("/staff/cases/")
    assert _references(response) == [life.reference, routine_old.reference, routine_new.reference]


def test_it_fills_each_queue_from_the_users_scope_only(client_for, personas):
    mine = case_factory(personas.school_a, alias="Blue Heron")
    case_assign(case=mine, assignee=personas.counselor_a, actor=personas.counselor_a)
    unassigned = case_factory(personas.school_a, alias="Blue Heron")
    life = case_factory(personas.school_a, category="self_harm", alias="Blue Heron")
    overdue = case_factory(personas.school_a, category="fight", alias="Blue Heron")
    Case.objects.filter(id=overdue.id).update(first_response_due_at="2020-01-01T00:00Z")
    elsewhere = case_factory(personas.school_b, category="weapon", alias="Blue Heron")
    client = client_for(personas.counselor_a)

    def queue(name):
        return set(_references(client.get(f"/staff/cases/?queue={name}")))

    assert queue("mine") == {mine.reference}
    assert queue("unassigned") == {unassigned.reference, life.reference, overdue.reference}
    assert queue("life_safety") == {life.reference}
    assert queue("overdue") == {overdue.reference}
    assert elsewhere.reference not in queue("all")
    counts = selectors.queue_counts_for(user=personas.counselor_a)
    assert counts == {"mine": 1, "unassigned": 3, "life_safety": 1, "overdue": 1, "all": 4}


def test_it_filters_by_school_status_priority_tag_channel_and_assignee(client_for, personas):
    a = case_factory(personas.school_a, category="bullying", alias="Blue Heron")
    b = case_factory(personas.school_b, category="weapon", alias="Blue Heron")
    case_assign(case=b, assignee=personas.district_admin, actor=personas.district_admin)
    client = client_for(personas.district_admin)
    base = "/staff/cases/?queue=all"
    assert _references(client.get(f"{base}&school={personas.school_b.id}")) == [b.reference]
    assert _references(client.get(f"{base}&priority={Priority.ROUTINE}")) == [a.reference]
    assert _references(client.get(f"{base}&tag=weapon")) == [b.reference]
    assert _references(client.get(f"{base}&channel=sms")) == []
    assert _references(client.get(f"{base}&assignee=0")) == [a.reference]
    assert _references(client.get(f"{base}&assignee={personas.district_admin.id}")) == [b.reference]
    Case.objects.filter(id=a.id).update(status=CaseStatus.CLOSED, outcome="unfounded")
    assert a.reference not in _references(client.get(base))
    assert _references(client.get(f"{base}&status=closed")) == [a.reference]


def test_it_searches_reference_tag_status_and_decrypted_text(client_for, personas):
    knife = case_factory(
        personas.school_a, body="He keeps a KNIFE in locker 12", alias="Blue Heron"
    )
    other = case_factory(
        personas.school_a, category="substances", body="vaping in the gym", alias="Blue Heron"
    )
    reporter = other.tips.get().reporter
    message_to_reporter(case=other, reporter=reporter, body="Which bathroom?", author=None)
    case_note_add(case=other, actor=personas.counselor_a, body="Spoke to the coach")
    case_factory(personas.school_b, body="a knife at the other school", alias="Blue Heron")
    client = client_for(personas.counselor_a)

    def search(text):
        return set(_references(client.get("/staff/cases/", {"q": text})))

    assert search("knife") == {knife.reference}
    assert search(knife.reference.lower()) == {knife.reference}
    assert search("drugs") == {other.reference}  # the "Drugs, alcohol or vaping" tag
    assert search("bathroom") == {other.reference}
    assert search("coach") == {other.reference}
    assert search("new") == {knife.reference, other.reference}


def test_it_caps_text_search_and_says_so(client_for, personas, monkeypatch):
    monkeypatch.setattr(selectors, "TEXT_SEARCH_LIMIT", 2)
    oldest = case_factory(personas.school_a, body="needle in the oldest", alias="Blue Heron")
    case_factory(personas.school_a, body="hay", alias="Blue Heron")
    case_factory(personas.school_a, body="hay", alias="Blue Heron")
    response = client_for(personas.counselor_a).get("/staff/cases/", {"q": "needle"})
    assert oldest.reference not in _references(response)
    assert "Text search read only the newest 2 cases" in response.content.decode()


def test_it_answers_htmx_with_the_queue_partial(client_for, personas):
    case = case_factory(personas.school_a, alias="Blue Heron")
    response = client_for(personas.counselor_a).get(
        "/staff/cases/", {"queue": "unassigned"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and case.reference in html
    assert "<html" not in html and 'id="case-queue"' in html
    assert 'hx-swap-oob="innerHTML">1 case found' in html


def test_it_counts_unassigned_and_life_safety_in_the_navigation(client_for, personas):
    case_factory(personas.school_a, alias="Blue Heron")
    case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    assigned = case_factory(personas.school_a, alias="Blue Heron")
    case_assign(case=assigned, assignee=personas.counselor_a, actor=personas.counselor_a)
    case_factory(personas.school_b, alias="Blue Heron")
    html = client_for(personas.counselor_a).get("/accounts/home/").content.decode()
    assert 'aria-label="2 open cases unassigned or life-safety"' in html


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("search", ["", "&q=tip"])
@pytest.mark.parametrize("queue", selectors.QUEUES)
def test_it_runs_a_fixed_number_of_queries_however_many_cases(
    client_for, personas, queue, search, django_assert_num_queries
):
    client = client_for(personas.counselor_a)

    def fill(count):
        for index in range(count):
            case = case_factory(
                personas.school_a, category=("weapon", "bullying")[index % 2], alias="Blue Heron"
            )
            if index % 3 == 0:
                case_assign(case=case, assignee=personas.counselor_a, actor=personas.counselor_a)
        Case.objects.update(first_response_due_at="2020-01-01T00:00Z")

    def first_sight():
        # Previews are recorded as read once per window: each measured page records them.
        CaseEvent.objects.filter(kind=CaseEvent.Kind.VIEWED).delete()

    url = f"/staff/cases/?queue={queue}{search}"
    fill(3)
    client.get(url)  # the navigation's badge counts are cached from here on
    first_sight()
    small = _queries_for(client, url)
    fill(27)
    assert Case.objects.count() == 30
    first_sight()
    with django_assert_num_queries(small):
        client.get(url)
