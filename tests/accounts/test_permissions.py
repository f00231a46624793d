"""The permission module across every role x school combination."""

import pytest

from accounts import permissions
from accounts.models import Role
from accounts.permissions import POLICY, Action

pytestmark = pytest.mark.django_db

# persona attribute -> {school attribute: role there}
EXPECTED_ROLES = {
    "counselor_a": {"school_a": Role.COUNSELOR},
    "principal_a": {"school_a": Role.PRINCIPAL},
    "counselor_b": {"school_b": Role.COUNSELOR},
    "district_admin": {"school_a": Role.DISTRICT_ADMIN, "school_b": Role.DISTRICT_ADMIN},
    "other_district_admin": {"school_c": Role.DISTRICT_ADMIN},
}
SCHOOLS = ("school_a", "school_b", "school_c")


@pytest.mark.parametrize("persona", sorted(EXPECTED_ROLES))
@pytest.mark.parametrize("school", SCHOOLS)
@pytest.mark.parametrize("action", list(Action))
def test_it_answers_every_action_for_every_role_and_school(personas, persona, school, action):
    user = getattr(personas, persona)
    role = EXPECTED_ROLES[persona].get(school)
    expected = role is not None and role in POLICY[action]
    assert permissions.can(user, action, getattr(personas, school)) is expected
    assert (getattr(personas, school).id in permissions.school_ids_for(user, action)) is expected


def test_it_gives_principals_no_case_work_but_summaries(personas):
    school = personas.school_a
    assert not permissions.can(personas.principal_a, Action.WORK_CASES, school)
    assert not permissions.can(personas.principal_a, Action.TRIAGE_ALERTS, school)
    assert permissions.can(personas.principal_a, Action.VIEW_SUMMARY, school)
    assert permissions.principal_school_ids(personas.principal_a) == {school.id}


def test_it_denies_anonymous_and_inactive_users(personas, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    for action in Action:
        assert not permissions.can(AnonymousUser(), action, personas.school_a)
    personas.counselor_a.is_active = False
    personas.counselor_a.save()
    permissions.forget_roles(personas.counselor_a)
    assert not permissions.can(personas.counselor_a, Action.VIEW_CASES, personas.school_a)


def test_it_ignores_inactive_schools(personas):
    personas.school_a.is_active = False
    personas.school_a.save()
    assert permissions.roles_by_school(personas.counselor_a) == {}
    assert personas.school_a.id not in permissions.roles_by_school(personas.district_admin)


def test_it_reads_roles_once_per_user_object_in_one_query(personas, django_assert_num_queries):
    user = personas.district_admin
    with django_assert_num_queries(1):
        permissions.roles_by_school(user)
    with django_assert_num_queries(0):
        for action in Action:
            permissions.can(user, action, personas.school_a)


def test_it_knows_district_admins(personas):
    district_id = personas.school_a.district_id
    assert permissions.is_district_admin(personas.district_admin, district_id)
    assert not permissions.is_district_admin(personas.other_district_admin, district_id)
    assert not permissions.is_district_admin(personas.counselor_a)
