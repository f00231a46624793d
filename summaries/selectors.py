"""Which summaries a user may read: a school's (its staff, the district's admins) or a
district's roll-up (its admins). Anything else is a 404, as for an outsider."""

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import permissions
from accounts.models import District, School
from accounts.permissions import Action
from cases.models import Case


def school_for_summary(*, user, school_id: int) -> School:
    """A school whose summary the user may read; 404 otherwise."""
    school = get_object_or_404(School.objects.select_related("district__policy"), pk=school_id)
    if not permissions.can(user, Action.VIEW_SUMMARY, school):
        raise Http404
    return school


def district_for_summary(*, user, district_id: int) -> District:
    """A district whose roll-up the user may read (its district admins); 404 otherwise."""
    district = get_object_or_404(District.objects.select_related("policy"), pk=district_id)
    if not permissions.is_district_admin(user, district.pk):
        raise Http404
    return district


def district_latest_case_before(*, district: District, before: datetime) -> datetime | None:
    """When the latest case of the district's schools opened, before `before` (the annual
    report's default year is drawn from it)."""
    return (
        Case.objects.filter(school__district=district, created_at__lt=before)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
