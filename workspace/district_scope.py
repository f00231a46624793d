"""Who may open which district page, and the reads those pages show.

A district's pages are its district admins' (everything, read and write) and its principals'
(their own school's staff and on-call list, and the district's policies, read-only). A
counselor of the district is refused (403); anyone else, an admin of another district
included, gets a 404, as does any id (a person, a school, a number, a source, an on-call
entry) that is not of the district in the address.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.models import (
    AdminChange,
    District,
    DistrictMembership,
    DistrictPolicy,
    Membership,
    OnCallContact,
    PhoneNumber,
    Role,
    School,
    User,
)
from alerts.models import Source


@dataclass(frozen=True)
class DistrictScope:
    district: District
    is_admin: bool
    # The schools the page may show: every school of the district for its admins, the
    # principal's own for a principal.
    school_ids: frozenset[int]

    def schools(self) -> QuerySet[School]:
        return School.objects.filter(id__in=self.school_ids).order_by("name")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied


def district_scope(user, district_id: int) -> DistrictScope:
    district = District.objects.filter(id=district_id).first()
    if district is None or not user.is_authenticated or not user.is_active:
        raise Http404
    if permissions.is_district_admin(user, district.id):
        ids = frozenset(School.objects.filter(district=district).values_list("id", flat=True))
        return DistrictScope(district, True, ids)
    district_school_ids = set(School.objects.filter(district=district).values_list("id", flat=True))
    roles = {
        sid: role
        for sid, role in permissions.roles_by_school(user).items()
        if sid in district_school_ids
    }
    if not roles:
        raise Http404
    allowed = frozenset(
        sid for sid in roles if permissions.can(user, permissions.Action.VIEW_SCHOOL_SETTINGS, sid)
    )
    if not allowed:
        raise PermissionDenied
    return DistrictScope(district, False, allowed)


def districts_for(user) -> list[District]:
    """The districts whose pages the user may open (admin or principal)."""
    school_ids = permissions.school_ids_for(user, permissions.Action.VIEW_SCHOOL_SETTINGS)
    admin_of = DistrictMembership.objects.filter(user=user, role=Role.DISTRICT_ADMIN).values(
        "district_id"
    )
    return list(
        District.objects.filter(Q(id__in=admin_of) | Q(schools__id__in=school_ids))
        .distinct()
        .order_by("name")
    )


# --- Reads ---------------------------------------------------------------------------------


def staff_in(scope: DistrictScope) -> QuerySet[User]:
    """Everyone with a role at the scope's schools (and, for admins, the district's admins),
    deactivated accounts included, with their roles in this district."""
    query = Q(memberships__school_id__in=scope.school_ids)
    if scope.is_admin:
        query |= Q(district_memberships__district=scope.district)
    return (
        User.objects.filter(query)
        .distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(school_id__in=scope.school_ids)
                .select_related("school")
                .order_by("school__name"),
                to_attr="district_roles",
            ),
            Prefetch(
                "district_memberships",
                queryset=DistrictMembership.objects.filter(district=scope.district),
                to_attr="district_admin_roles",
            ),
        )
        .order_by("full_name", "email")
    )


def staff_get(scope: DistrictScope, user_id: int) -> User:
    user = staff_in(scope).filter(id=user_id).first()
    if user is None:
        raise Http404
    return user


def on_call_lists(scope: DistrictScope) -> list[tuple[School, list[OnCallContact]]]:
    contacts = (
        OnCallContact.objects.filter(school_id__in=scope.school_ids)
        .select_related("user")
        .order_by("position")
    )
    by_school: dict[int, list[OnCallContact]] = {}
    for contact in contacts:
        by_school.setdefault(contact.school_id, []).append(contact)
    return [(school, by_school.get(school.id, [])) for school in scope.schools()]


def on_call_get(scope: DistrictScope, contact_id: int) -> OnCallContact:
    contact = (
        OnCallContact.objects.filter(id=contact_id, school_id__in=scope.school_ids)
        .select_related("school__district", "user")
        .first()
    )
    if contact is None:
        raise Http404
    return contact


def school_get(scope: DistrictScope, school_id: int) -> School:
    school = School.objects.filter(id=school_id, id__in=scope.school_ids).first()
    if school is None:
        raise Http404
    return school


def numbers_of(scope: DistrictScope) -> QuerySet[PhoneNumber]:
    return PhoneNumber.objects.filter(district=scope.district).select_related("school")


def number_get(scope: DistrictScope, number_id: int) -> PhoneNumber:
    row = numbers_of(scope).filter(id=number_id).select_related("district").first()
    if row is None:
        raise Http404
    return row


def sources_of(scope: DistrictScope) -> QuerySet[Source]:
    return Source.objects.filter(district=scope.district).prefetch_related("schools")


def source_get(scope: DistrictScope, source_id: int) -> Source:
    source = sources_of(scope).filter(id=source_id).select_related("district").first()
    if source is None:
        raise Http404
    return source


def policy_of(scope: DistrictScope) -> DistrictPolicy:
    """The stored policy (or the defaults), read fresh: this page is where it is changed."""
    stored = DistrictPolicy.objects.filter(district=scope.district).first()
    return stored or DistrictPolicy(district=scope.district)


def changes_of(scope: DistrictScope) -> QuerySet[AdminChange]:
    return AdminChange.objects.filter(district=scope.district).select_related("actor", "school")
