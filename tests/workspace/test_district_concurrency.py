"""Two admins changing one on-call list at the same moment take turns (the list's rows are
locked), so neither gets an error and the list stays 1..n. PostgreSQL only."""

import threading

import pytest
from django.db import connection

from accounts.district_admin import on_call_add, on_call_move
from accounts.models import AdminChange, OnCallContact, Role
from tests.factories import DistrictMembershipFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _together(*calls) -> list[BaseException]:
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _positions(school) -> list[int]:
    return list(
        OnCallContact.objects.filter(school=school)
        .order_by("position")
        .values_list("position", flat=True)
    )


def test_it_adds_and_reorders_under_concurrent_admins(personas):
    if connection.vendor == "sqlite":
        pytest.skip("needs PostgreSQL's concurrent transactions (DATABASE_URL)")
    school = personas.school_a
    second_admin = UserFactory(email="second@example.org")
    DistrictMembershipFactory(user=second_admin, district=school.district)
    extra = [UserFactory(email=f"extra{n}@example.org") for n in range(4)]
    for user in extra:
        MembershipFactory(user=user, school=school, role=Role.COUNSELOR)
    errors = _together(
        *[
            (lambda user=user, actor=actor: on_call_add(school=school, actor=actor, user=user))
            for user, actor in zip(extra, [personas.district_admin, second_admin] * 2, strict=True)
        ]
    )
    assert errors == [] and _positions(school) == [1, 2, 3, 4]
    contacts = list(OnCallContact.objects.filter(school=school).order_by("position"))
    errors = _together(
        lambda: on_call_move(contact=contacts[3], actor=personas.district_admin, step=-1),
        lambda: on_call_move(contact=contacts[1], actor=second_admin, step=1),
    )
    assert errors == [] and _positions(school) == [1, 2, 3, 4]
    assert AdminChange.objects.filter(kind=AdminChange.Kind.ON_CALL_ADDED).count() == 4
    assert AdminChange.objects.filter(kind=AdminChange.Kind.ON_CALL_REORDERED).count() == 2
