"""Two counselors acting at once on PostgreSQL: one wins, the other gets StaleCaseError.

Each thread holds its own connection and a copy of the case read at the same version. A
barrier lines both up; the first UPDATE takes the row lock, the second waits for it and then
matches zero rows (version moved), so exactly one edit lands whichever thread is first.
"""

import threading

import pytest
from django.db import connection, connections

from cases.models import Case, CaseStatus, Outcome
from cases.services.workflow import StaleCaseError, case_assign, case_resolve
from tests.factories import case_factory

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*actions):
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            action()
            results[index] = "ok"
        except StaleCaseError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_it_lets_exactly_one_of_two_simultaneous_edits_win(personas):
    if connection.vendor != "postgresql":
        pytest.skip("the threaded race needs PostgreSQL (DATABASE_URL)")
    case = case_factory(personas.school_a)
    alice, dana = personas.counselor_a, personas.district_admin
    alices_page = Case.objects.get(id=case.id)
    danas_page = Case.objects.get(id=case.id)
    results = _race(
        lambda: case_resolve(
            case=alices_page, outcome=Outcome.UNFOUNDED, summary="Nothing found.", actor=alice
        ),
        lambda: case_assign(case=danas_page, assignee=dana, actor=dana),
    )
    assert sorted(map(str, results)).count("ok") == 1
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, StaleCaseError) and "Someone else changed this case" in str(loser)
    case.refresh_from_db()
    assert case.version == 2
    won_resolve = results[0] == "ok"
    assert (case.status == CaseStatus.RESOLVED) is won_resolve
    assert (case.assignee_id == dana.id) is (not won_resolve)
    assert case.events.filter(kind__in=["status_changed", "assigned"]).count() == 1


def test_it_never_loses_either_of_two_writers_on_sqlite_either(personas):
    """The same rule without threads (any database): the second writer's page is stale."""
    case = case_factory(personas.school_a)
    first, second = Case.objects.get(id=case.id), Case.objects.get(id=case.id)
    case_assign(case=first, assignee=personas.counselor_a, actor=personas.counselor_a)
    with pytest.raises(StaleCaseError):
        case_assign(case=second, assignee=personas.district_admin, actor=personas.district_admin)
    case.refresh_from_db()
    assert case.assignee == personas.counselor_a
