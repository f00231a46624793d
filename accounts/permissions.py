"""The one place that answers "may this user see or do this at this school?".

Every view, selector, API endpoint and task asks here; nothing else reads roles. A user's
roles are loaded once per request (one query) and cached on the user object; across requests
they are kept in the cache for ROLES_CACHE_SECONDS, dropped for a user whenever one of their
memberships changes and for everyone whenever a school does (accounts/signals.py), and read
from the database whenever the cache is down.

Policy (who uses the product: docs/architecture.md, "Who uses it"):

| action                | counselor | principal | district admin |
|-----------------------|-----------|-----------|----------------|
| VIEW_CASES            | yes       | limited¹  | yes            |
| WORK_CASES            | yes       | no        | yes            |
| TRIAGE_ALERTS         | yes       | no        | yes            |
| VIEW_SUMMARY          | yes       | yes       | yes            |
| VIEW_AUDIT            | no        | no        | yes            |
| MANAGE_SCHOOL         | no        | no        | yes            |
| VIEW_SCHOOL_SETTINGS  | no        | yes²      | yes            |
| RECEIVE_ESCALATIONS   | no        | yes       | yes            |

¹ principals read only the cases escalated to them and their school's life-safety cases;
  the case selectors apply that narrowing, using `principal_school_ids`.
² principals read their own school's staff, on-call list and the district's policies on the
  district pages (workspace/views/district.py); only district admins change them.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, Subquery

from .models import DistrictMembership, Membership, Role, School


class Action(enum.StrEnum):
    VIEW_CASES = "view_cases"
    WORK_CASES = "work_cases"
    TRIAGE_ALERTS = "triage_alerts"
    VIEW_SUMMARY = "view_summary"
    VIEW_AUDIT = "view_audit"
    MANAGE_SCHOOL = "manage_school"
    VIEW_SCHOOL_SETTINGS = "view_school_settings"
    RECEIVE_ESCALATIONS = "receive_escalations"


POLICY: dict[Action, frozenset[Role]] = {
    Action.VIEW_CASES: frozenset({Role.COUNSELOR, Role.PRINCIPAL, Role.DISTRICT_ADMIN}),
    Action.WORK_CASES: frozenset({Role.COUNSELOR, Role.DISTRICT_ADMIN}),
    Action.TRIAGE_ALERTS: frozenset({Role.COUNSELOR, Role.DISTRICT_ADMIN}),
    Action.VIEW_SUMMARY: frozenset({Role.COUNSELOR, Role.PRINCIPAL, Role.DISTRICT_ADMIN}),
    Action.VIEW_AUDIT: frozenset({Role.DISTRICT_ADMIN}),
    Action.MANAGE_SCHOOL: frozenset({Role.DISTRICT_ADMIN}),
    Action.VIEW_SCHOOL_SETTINGS: frozenset({Role.PRINCIPAL, Role.DISTRICT_ADMIN}),
    Action.RECEIVE_ESCALATIONS: frozenset({Role.PRINCIPAL, Role.DISTRICT_ADMIN}),
}

_CACHE_ATTRIBUTE = "_tipline_roles_by_school"
# The cache keeps (schools version, roles) per user; a school's change bumps the version.
ROLES_VERSION_KEY = "roles-version"
logger = logging.getLogger(__name__)


def roles_cache_key(user_id: int) -> str:
    return f"roles:{user_id}"


def roles_cache_keys(user_id: int) -> list[str]:
    """The cache keys a user's kept roles are read from (the auth middleware reads them in
    its own round trip and hands the answer to `roles_adopt`)."""
    return [roles_cache_key(user_id), ROLES_VERSION_KEY]


def _roles_found(user, found: dict) -> tuple[dict[int, Role] | None, object]:
    version = found.get(ROLES_VERSION_KEY, 0)
    entry = found.get(roles_cache_key(user.pk))
    if entry is None or entry[0] != version:
        return None, version
    return {school_id: Role(role) for school_id, role in entry[1]}, version


def roles_adopt(user, found: dict) -> None:
    """Take the user's kept roles from a cache answer read for `roles_cache_keys` (nothing
    when they were absent or stale: `roles_by_school` then reads them as usual)."""
    if getattr(settings, "ROLES_CACHE_SECONDS", 0) <= 0 or not user.is_active:
        return
    kept, _version = _roles_found(user, found)
    if kept is not None:
        setattr(user, _CACHE_ATTRIBUTE, kept)


def _roles_from_cache(user) -> tuple[dict[int, Role] | None, object]:
    """(roles, version) from the cache; roles None when absent, stale or the cache is down."""
    try:
        found = cache.get_many(roles_cache_keys(user.pk))
    except Exception as error:
        logger.warning("roles cache unavailable (%s): read from the database", type(error).__name__)
        return None, None
    return _roles_found(user, found)


def _roles_to_cache(user, roles: dict[int, Role], version) -> None:
    try:
        cache.set(
            roles_cache_key(user.pk),
            (version, [(school_id, str(role)) for school_id, role in roles.items()]),
            settings.ROLES_CACHE_SECONDS,
        )
    except Exception as error:
        logger.warning("roles cache unavailable (%s): not kept", type(error).__name__)


def roles_by_school(user) -> dict[int, Role]:
    """Map school id -> the user's role there; a district admin's role wins over a school role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    keep = getattr(settings, "ROLES_CACHE_SECONDS", 0) > 0
    if keep:
        kept, version = _roles_from_cache(user)
        if kept is not None:
            setattr(user, _CACHE_ATTRIBUTE, kept)
            return kept
    # One query, run on every signed-in request: the schools where the user has a role,
    # each with that role and whether the user administers its district (subqueries, not
    # round trips; the select-list subqueries run only for the matched schools).
    admin_districts = DistrictMembership.objects.filter(user=user, role=Role.DISTRICT_ADMIN).values(
        "district_id"
    )
    own_role = Membership.objects.filter(user=user, school=OuterRef("pk")).values("role")[:1]
    rows = (
        School.objects.filter(is_active=True)
        .filter(
            Q(id__in=Membership.objects.filter(user=user).values("school_id"))
            | Q(district_id__in=admin_districts)
        )
        .annotate(
            own_role=Subquery(own_role),
            district_admin=Exists(admin_districts.filter(district_id=OuterRef("district_id"))),
        )
        .values_list("id", "own_role", "district_admin")
    )
    roles: dict[int, Role] = {
        school_id: Role.DISTRICT_ADMIN if district_admin else Role(own_role)
        for school_id, own_role, district_admin in rows
    }
    setattr(user, _CACHE_ATTRIBUTE, roles)
    if keep and version is not None:
        _roles_to_cache(user, roles, version)
    return roles


def forget_roles(user) -> None:
    """Drop the per-request cache and the user's kept roles (after memberships change)."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)
    forget_kept_roles(user.pk)


def forget_kept_roles(user_id: int | None = None) -> None:
    """Drop one user's kept roles, or (None) everyone's: a school changed."""
    try:
        if user_id is None:
            cache.set(ROLES_VERSION_KEY, _new_version(), None)
        else:
            cache.delete(roles_cache_key(user_id))
    except Exception as error:
        logger.warning("roles cache unavailable (%s): not forgotten", type(error).__name__)


def _new_version() -> str:
    import secrets

    return secrets.token_hex(8)


def role_at(user, school: School | int) -> Role | None:
    school_id = school if isinstance(school, int) else school.pk
    return roles_by_school(user).get(school_id)


def can(user, action: Action, school: School | int) -> bool:
    """True when the user holds, at this school, a role the policy allows for the action."""
    role = role_at(user, school)
    return role is not None and role in POLICY[action]


def school_ids_for(user, action: Action) -> frozenset[int]:
    """Every school where the user may perform the action (for scoping querysets)."""
    allowed = POLICY[action]
    return frozenset(sid for sid, role in roles_by_school(user).items() if role in allowed)


def principal_school_ids(user) -> frozenset[int]:
    return frozenset(sid for sid, role in roles_by_school(user).items() if role == Role.PRINCIPAL)


def schools_for(user, action: Action) -> Iterable[School]:
    return School.objects.filter(id__in=school_ids_for(user, action)).select_related("district")


def is_district_admin(user, district_id: int | None = None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    memberships = DistrictMembership.objects.filter(user=user, role=Role.DISTRICT_ADMIN)
    if district_id is not None:
        memberships = memberships.filter(district_id=district_id)
    return memberships.exists()


def is_product_staff(user) -> bool:
    """True for anyone with at least one role (the staff workspace is theirs)."""
    return bool(roles_by_school(user))
