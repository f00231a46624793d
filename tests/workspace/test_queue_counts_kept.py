"""The queues' tab counts kept per process under the schools' stamps (workspace.queue_sql,
cases.QueueStamp and its triggers): after every kind of write to a case, through the product's
own services, QuerySet.update(), raw SQL, a delete or a rolled-back transaction, and as the SLA
clock passes a due time, the counts and the live fingerprint are those counted afresh and
those of the lists; while nothing changed they are served kept; the page is the same bytes."""

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from cases.models import Case, CaseEvent, CaseStatus, Outcome, Priority, QueueStamp
from cases.services.merge import case_merge
from cases.services.workflow import (
    case_acknowledge,
    case_assign,
    case_close,
    case_resolve,
    case_set_priority,
    case_status_change,
)
from tests.factories import case_factory
from tipline.services.tips import message_to_reporter
from workspace import queue_sql, selectors

pytestmark = pytest.mark.django_db


def _listed(user, queue: str, now) -> int:
    result = selectors.case_queue(user=user, queue=queue, filters=selectors.QueueFilters(), now=now)
    return result.cases.count()


def _afresh(user, now) -> selectors.QueueState:
    """The state counted with nothing kept (what a fresh process reads), the kept counts
    left as they were."""
    kept = dict(queue_sql._COUNTS)
    queue_sql._COUNTS.clear()
    try:
        return selectors.queue_state_for(user=user, now=now)
    finally:
        queue_sql._COUNTS.clear()
        queue_sql._COUNTS.update(kept)


def _kept_counts(user):
    entry = queue_sql._COUNTS.get(queue_sql._counts_key(user))
    return entry.counts.counts if entry else None


def _agrees(user, now) -> selectors.QueueState:
    """The state as the page reads it (kept counts where good), checked against a fresh
    count and against every list's length."""
    state = selectors.queue_state_for(user=user, now=now)
    assert state == _afresh(user, now)
    for queue in selectors.QUEUES:
        assert state.counts[queue] == _listed(user, queue, now), queue
    return state


@pytest.fixture
def queue(personas):
    now = timezone.now()
    school = personas.school_a
    cases = {
        "plain": case_factory(school),
        "other": case_factory(school, alias="Fox"),
        "late_soon": case_factory(
            school, acknowledge_due_at=now + timedelta(hours=2), acknowledged_at=None
        ),
        "elsewhere": case_factory(personas.school_b),
        # Late already, and assigned: acknowledging it writes acknowledged_at alone.
        "late": case_factory(
            school,
            acknowledge_due_at=now - timedelta(hours=1),
            acknowledged_at=None,
            assignee=personas.counselor_a,
        ),
    }
    # Only the clock above runs: a due time the tip's intake set would end the kept counts
    # sooner than the test means to.
    Case.objects.exclude(id__in=[cases["late_soon"].id, cases["late"].id]).update(
        acknowledge_due_at=None, first_response_due_at=None
    )
    # Late for its first answer: a counselor's reply takes it out of the overdue queue.
    Case.objects.filter(id=cases["other"].id).update(first_response_due_at=now - timedelta(hours=1))
    user = User.objects.get(id=personas.counselor_a.id)
    return user, cases


def test_an_unchanged_queue_is_served_kept_in_the_same_one_query(queue):
    user, _cases = queue
    now = timezone.now()
    first = _agrees(user, now)
    with CaptureQueriesContext(connection) as queries:
        again = selectors.queue_state_for(user=user, now=now + timedelta(seconds=5))
    assert len(queries) == 1
    assert again.counts is _kept_counts(user)  # the kept counts themselves, not a recount
    assert again == first


def _raise_priority(user, cases, personas):
    case_set_priority(
        case=cases["plain"], priority=Priority.LIFE_SAFETY, actor=user, reason="a plan"
    )


def _status(user, cases, personas):
    case_status_change(case=cases["plain"], status=CaseStatus.TRIAGED, actor=user)


def _new_tip(user, cases, personas):
    case_factory(personas.school_a)


def _assign(user, cases, personas):
    case_assign(case=cases["plain"], assignee=user, actor=user)


def _acknowledge(user, cases, personas):
    case_acknowledge(case=cases["late_soon"], actor=user)  # and takes it: unassigned


def _acknowledge_late(user, cases, personas):
    version = Case.objects.get(id=cases["late"].id).version
    case_acknowledge(case=cases["late"], actor=user)
    assert Case.objects.get(id=cases["late"].id).version == version  # no version moved


def _resolve(user, cases, personas):
    case_resolve(case=cases["plain"], actor=user, outcome=Outcome.SAFETY_PLAN, summary="done")


def _reply(user, cases, personas):
    case = cases["other"]
    message_to_reporter(case=case, reporter=case.tips.get().reporter, body="Thank you", author=user)


def _merge(user, cases, personas):
    case_merge(duplicate=cases["other"], survivor=cases["plain"], actor=user)


def _close(user, cases, personas):
    case_close(case=cases["plain"], actor=user, outcome=Outcome.SAFETY_PLAN, summary="done")


def _queryset_update(user, cases, personas):
    Case.objects.filter(id=cases["other"].id).update(status=CaseStatus.CLOSED)


def _moved_school(user, cases, personas):
    Case.objects.filter(id=cases["plain"].id).update(school=personas.school_b)


def _moved_in(user, cases, personas):
    Case.objects.filter(id=cases["elsewhere"].id).update(school=personas.school_a)


def _raw_sql(user, cases, personas):
    table = connection.ops.quote_name(Case._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET priority = %s WHERE id = %s",  # noqa: S608
            [int(Priority.LIFE_SAFETY), cases["other"].id],
        )


def _delete(user, cases, personas):
    case = cases["other"]
    CaseEvent.objects.filter(case=case).delete()
    case.tips.all().delete()
    Case.objects.filter(id=case.id).delete()


PATHS = [
    _raise_priority,
    _status,
    _new_tip,
    _assign,
    _acknowledge,
    _acknowledge_late,
    _reply,
    _merge,
    _close,
    _resolve,
    _queryset_update,
    _moved_school,
    _moved_in,
    _raw_sql,
]


@pytest.mark.parametrize("change", PATHS, ids=[path.__name__.strip("_") for path in PATHS])
def test_every_write_to_a_case_is_counted_at_once(queue, personas, change):
    user, cases = queue
    before = _agrees(user, timezone.now())
    assert selectors.queue_state_for(user=user).counts is _kept_counts(user)
    change(user, cases, personas)
    after = _agrees(user, timezone.now())
    assert after.fingerprint != before.fingerprint, "every change here moves the fingerprint"


def test_a_deleted_case_leaves_the_counts(queue, personas):
    user, cases = queue
    before = _agrees(user, timezone.now())
    _delete(user, cases, personas)
    after = _agrees(user, timezone.now())
    assert after.counts["all"] == before.counts["all"] - 1


def test_a_write_rolled_back_leaves_the_counts_as_they_were(queue):
    user, cases = queue
    before = _agrees(user, timezone.now())
    with pytest.raises(RuntimeError), transaction.atomic():
        Case.objects.filter(id=cases["plain"].id).update(priority=Priority.LIFE_SAFETY)
        during = _agrees(user, timezone.now())  # the writer's own view: counted with it
        assert during.counts["life_safety"] == before.counts["life_safety"] + 1
        raise RuntimeError
    assert _agrees(user, timezone.now()) == before


def test_the_sla_clock_passing_a_due_time_counts_the_case_overdue(queue):
    user, cases = queue
    due = cases["late_soon"].acknowledge_due_at
    now = timezone.now()
    overdue = _agrees(user, now).counts["overdue"]  # the two cases late already
    kept = _kept_counts(user)
    assert selectors.queue_state_for(user=user, now=due - timedelta(minutes=1)).counts is kept
    assert selectors.queue_state_for(user=user, now=due).counts is kept  # due: not yet late
    late = due + timedelta(microseconds=1)
    assert _agrees(user, late).counts["overdue"] == overdue + 1
    # A clock set back (a test's, a server's) is never served counts from a later moment.
    assert _agrees(user, now).counts["overdue"] == overdue


def test_a_principals_counts_are_never_kept(personas):
    """A principal's scope takes in cases escalated to them: an event, not a write to the
    case, so no stamp moves; their counts are counted every time."""
    case = case_factory(personas.school_a)
    principal = User.objects.get(id=personas.principal_a.id)
    now = timezone.now()
    assert _agrees(principal, now).counts["all"] == 0
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.ESCALATED, data={"to_user_id": principal.id}
    )
    assert _agrees(principal, now).counts["all"] == 1
    assert queue_sql._counts_key(principal) is None


def test_each_write_gives_the_school_a_stamp_not_seen_before(personas):
    case = case_factory(personas.school_a)
    seen = {QueueStamp.objects.get(school_id=personas.school_a.id).stamp}
    for _ in range(5):
        Case.objects.filter(id=case.id).update(needs_review=True)
        stamp = QueueStamp.objects.get(school_id=personas.school_a.id).stamp
        assert stamp not in seen
        seen.add(stamp)
    assert not QueueStamp.objects.filter(school_id=personas.school_b.id).exists()


TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _page(client) -> str:
    response = client.get("/staff/cases/")
    assert response.status_code == 200
    return TOKEN.sub(r"\1…", response.content.decode())


def test_the_page_drawn_from_kept_counts_is_the_same_bytes(
    client_for, personas, queue, monkeypatch
):
    user, cases = queue
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    client = client_for(personas.counselor_a)
    queue_sql._COUNTS.clear()
    fresh = _page(client)
    kept = _kept_counts(user)
    queries, recounted = [], []
    with connection.execute_wrapper(lambda run, sql, *args: queries.append(sql) or run(sql, *args)):
        again = _page(client)
    assert _kept_counts(user) is kept
    assert again == fresh
    queue_sql._COUNTS.clear()
    with connection.execute_wrapper(
        lambda run, sql, *args: recounted.append(sql) or run(sql, *args)
    ):
        assert _page(client) == fresh
    assert len(queries) == len(recounted) > 0
    assert 'data-live-since="' in fresh and cases["plain"].reference in fresh


SECTION = re.compile(r'<section id="case-queue".*?</section>', re.S)


@pytest.mark.parametrize(
    "page", ["", "1", "2", "3", "0", "-1", "abc", "2.0", "99999999999999999999999"]
)
def test_the_counts_read_with_the_page_draw_what_they_draw_apart(
    client_for, personas, monkeypatch, page
):
    """The queue unfiltered reads its counts and its page in one statement; the live answer
    reads them apart (the counts first, then the page). Both draw the same queue, for every
    page asked for: the first, the short last one, one past the end, nonsense."""
    for index in range(55):
        case_factory(personas.school_a, category=("weapon", "bullying")[index % 3 == 0])
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    client = client_for(personas.counselor_a)
    query = f"?page={page}" if page else ""
    together = []
    with connection.execute_wrapper(
        lambda run, sql, *args: together.append(sql) or run(sql, *args)
    ):
        drawn = SECTION.search(_page_at(client, f"/staff/cases/{query}"))[0]
    live = client.get(f"/staff/cases/live/?since=stale{'&' + query[1:] if query else ''}")
    assert live.status_code == 200
    apart = SECTION.search(live.content.decode())[0]
    assert drawn == apart
    rows = re.findall(r'<tr data-case-id="(\d+)"', drawn)
    user = User.objects.get(id=personas.counselor_a.id)
    listed = list(
        selectors.case_queue(
            user=user, queue="all", filters=selectors.QueueFilters(), now=moment
        ).cases.values_list("id", flat=True)
    )
    second = page in {"2", "3", "0", "-1", "99999999999999999999999"}
    assert [int(row) for row in rows] == (listed[50:] if second else listed[:50])
    assert f"{2 if second else 1} / 2" in drawn
    assert "55 cases" in drawn
    counted = [sql for sql in together if "open_case" in sql]
    assert len(counted) == 1 and "LIMIT" in counted[0]  # the counts and the page: one query


def _page_at(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_district_admins_counts_follow_a_write_at_each_of_their_schools(personas):
    """Several schools' stamps read as one text: a school's first case, then a write at
    another, each ends the kept counts."""
    admin = User.objects.get(id=personas.district_admin.id)
    schools = queue_sql._counts_key(admin)[2]
    assert {personas.school_a.id, personas.school_b.id} <= set(schools)
    state = _agrees(admin, timezone.now())
    assert selectors.queue_state_for(user=admin).counts is _kept_counts(admin)
    for school in (personas.school_b, personas.school_a, personas.school_b):
        case_factory(school)
        after = _agrees(admin, timezone.now())
        assert after.counts["all"] == state.counts["all"] + 1
        state = after
