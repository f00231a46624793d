"""Reads of tipline's rows for staff, always through a case they may already see."""

from django.db.models import QuerySet

from cases.models import Case
from tipline.models import Reporter


def case_reporters(*, case: Case) -> QuerySet[Reporter]:
    """The tipsters of a case the caller may already see (fetched through the case)."""
    return Reporter.objects.filter(tips__case=case).distinct().order_by("id")
