"""Principal and district summaries: pages and CSV downloads. Thin: scope, parse, build.

School pages: anyone who may VIEW_SUMMARY at that school (counselor, principal, district
admin). District pages and the annual report: that district's admins only. Anything else is
404, never a hint that the page exists. No page here reads tip, message or note text.
"""

from __future__ import annotations

import zoneinfo
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.models import District, DistrictMembership, Role, School
from accounts.permissions import Action
from summaries import exports
from summaries.build import SORT_KEYS, annual_report, district_summary, school_summary
from summaries.periods import (
    Period,
    PeriodError,
    local_today,
    month_period,
    period_from_query,
    period_has_begun,
    school_year_containing,
    school_year_from_query,
)
from summaries.selectors import (
    district_for_summary,
    district_latest_case_before,
    school_for_summary,
)
from summaries.suppression import threshold_for


def in_english(view):
    """CSV downloads are in English whoever downloads them (headings, labels, period names),
    so an export keeps one shape for the scripts and reports that read it: the view runs,
    and its rows are written, with English active (docs/languages.md)."""

    def english_rows(rows):
        with translation.override("en"):
            yield from rows

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override("en"):
            response = view(request, *args, **kwargs)
        if response.streaming:
            response.streaming_content = english_rows(response.streaming_content)
        return response

    return wrapper


def _period(request, tz: str):
    """The requested period (default: this month), and an error to show if it was refused
    (unreadable, before 1970, or not begun): pages then show this month with the message and
    answer 400; CSVs answer 400 with the message alone."""
    today = local_today(tz)
    try:
        return period_from_query(request.GET.get("period"), today=today), ""
    except PeriodError as error:
        return month_period(today), str(error)


def _next_period(period: Period, tz: str) -> Period | None:
    following = period.next()
    return following if period_has_begun(following, today=local_today(tz)) else None


def _refused(error: str) -> HttpResponse:
    return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")


def _presets(tz: str) -> list[tuple[str, str]]:
    today = local_today(tz)
    this_month = month_period(today)
    school_year = school_year_containing(today)
    return [
        ("This month", this_month.key),
        ("Last month", this_month.previous().key),
        ("This school year", school_year.key),
        ("Last school year", school_year.previous().key),
    ]


def _summary_csv(summary, slug: str, name: str) -> HttpResponse:
    """One table of a summary as CSV by its slug; "all" is every table in one file."""
    if slug == "all":
        return _csv_response(exports.summary_rows(summary), name)
    table = next((t for t in summary.tables if t.slug == slug), None)
    if table is None:
        raise Http404
    return _csv_response(exports.table_rows(table), name)


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(exports.csv_lines(rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def summary_home(request):
    """Send each person to the summary they most likely want."""
    district_ids = list(
        DistrictMembership.objects.filter(user=request.user, role=Role.DISTRICT_ADMIN)
        .order_by("district__name")
        .values_list("district_id", flat=True)
    )
    schools = list(permissions.schools_for(request.user, Action.VIEW_SUMMARY).order_by("name"))
    if len(district_ids) == 1:
        return redirect("summaries:district", district_id=district_ids[0])
    if len(schools) == 1 and not district_ids:
        return redirect("summaries:school", school_id=schools[0].pk)
    if not schools and not district_ids:
        raise Http404
    districts = District.objects.filter(pk__in=district_ids)
    return render(request, "summaries/home.html", {"schools": schools, "districts": districts})


@require_GET
@login_required
def school_page(request, school_id: int):
    school = school_for_summary(user=request.user, school_id=school_id)
    period, error = _period(request, school.timezone)
    summary = school_summary(school=school, period=period)
    return render(
        request,
        "summaries/school.html",
        {
            "school": school,
            "summary": summary,
            "period": period,
            "period_error": error,
            "next_period": _next_period(period, school.timezone),
            "presets": _presets(school.timezone),
            "is_district_admin": permissions.is_district_admin(request.user, school.district_id),
        },
        status=400 if error else 200,
    )


@require_GET
@login_required
@in_english
def school_csv(request, school_id: int, slug: str):
    """One table of the school summary as CSV; slug "all" is every table in one file."""
    school = school_for_summary(user=request.user, school_id=school_id)
    period, error = _period(request, school.timezone)
    if error:
        return _refused(error)
    summary = school_summary(school=school, period=period)
    name = f"{school.slug}-{period.key}-{slug}.csv"
    return _summary_csv(summary, slug, name)


@require_GET
@login_required
@in_english
def school_case_list(request, school_id: int):
    school = school_for_summary(user=request.user, school_id=school_id)
    period, error = _period(request, school.timezone)
    if error:
        return _refused(error)
    rows = exports.case_list_rows(
        schools=[school], period=period, threshold=threshold_for(school.district)
    )
    return _csv_response(rows, f"{school.slug}-{period.key}-cases-deidentified.csv")


def _sort(request) -> tuple[str, bool]:
    sort = request.GET.get("sort", "school")
    return (sort if sort in SORT_KEYS else "school"), request.GET.get("dir") == "desc"


@require_GET
@login_required
def district_page(request, district_id: int):
    district = district_for_summary(user=request.user, district_id=district_id)
    period, error = _period(request, district.timezone)
    sort, descending = _sort(request)
    summary = district_summary(district=district, period=period, sort=sort, descending=descending)
    return render(
        request,
        "summaries/district.html",
        {
            "district": district,
            "summary": summary,
            "period": period,
            "period_error": error,
            "next_period": _next_period(period, district.timezone),
            "presets": _presets(district.timezone),
            "sort": sort,
            "descending": descending,
            "annual_year": school_year_containing(local_today(district.timezone)).previous(),
        },
        status=400 if error else 200,
    )


@require_GET
@login_required
@in_english
def district_csv(request, district_id: int, slug: str):
    district = district_for_summary(user=request.user, district_id=district_id)
    period, error = _period(request, district.timezone)
    if error:
        return _refused(error)
    sort, descending = _sort(request)
    summary = district_summary(district=district, period=period, sort=sort, descending=descending)
    name = f"{district.slug}-{period.key}-{slug}.csv"
    return _summary_csv(summary, slug, name)


@require_GET
@login_required
@in_english
def district_case_list(request, district_id: int):
    district = district_for_summary(user=request.user, district_id=district_id)
    period, error = _period(request, district.timezone)
    if error:
        return _refused(error)
    schools = list(School.objects.filter(district=district).order_by("name"))
    rows = exports.case_list_rows(schools=schools, period=period, threshold=threshold_for(district))
    return _csv_response(rows, f"{district.slug}-{period.key}-cases-deidentified.csv")


def _annual_default(district: District, today) -> Period:
    """The latest school year with data: the last complete one that holds a case (or the
    latest earlier one that does), else the current one (a district in its first year); with
    no case at all, the last complete."""
    zone = zoneinfo.ZoneInfo(district.timezone)
    last_complete = school_year_containing(today).previous()
    _, end = last_complete.bounds(zone)
    latest = district_latest_case_before(district=district, before=end)
    if latest is not None:
        return school_year_containing(latest.astimezone(zone).date())
    if district_latest_case_before(district=district, before=timezone.now()) is not None:
        return school_year_containing(today)
    return last_complete


def _annual_period(request, district: District):
    """?year=2024 is the school year 1 July 2024 - 30 June 2025; default: the latest school
    year with data (_annual_default). Returns the period and an error to show (then the
    period is the default)."""
    today = local_today(district.timezone)
    if not request.GET.get("year", "").strip():
        return _annual_default(district, today), ""
    try:
        return school_year_from_query(request.GET.get("year"), today=today), ""
    except PeriodError as error:
        return _annual_default(district, today), str(error)


@require_GET
@login_required
def annual_page(request, district_id: int):
    district = district_for_summary(user=request.user, district_id=district_id)
    period, error = _annual_period(request, district)
    summary = annual_report(district=district, period=period)
    following = _next_period(period, district.timezone)
    return render(
        request,
        "summaries/annual.html",
        {
            "district": district,
            "summary": summary,
            "period": period,
            "period_error": error,
            "previous_year": period.previous().first_day.year,
            "next_year": following.first_day.year if following else None,
            "generated_at": timezone.now(),
        },
        status=400 if error else 200,
    )


@require_GET
@login_required
@in_english
def annual_csv(request, district_id: int):
    district = district_for_summary(user=request.user, district_id=district_id)
    period, error = _annual_period(request, district)
    if error:
        return _refused(error)
    summary = annual_report(district=district, period=period)
    return _csv_response(
        exports.annual_report_rows(summary), f"{district.slug}-{period.key}-annual-report.csv"
    )
