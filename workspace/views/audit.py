"""The audit trail for district admins: a case's trail on screen and as CSV, and the
district's as CSV (tipline.services.audit). Anyone else gets a 404, like an outsider."""

import csv
from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.permissions import Action
from cases.event_sentences import EventSentences
from cases.selectors import case_get_for_user
from cases.services.audit import (
    audit_csv_lines,
    audit_csv_rows,
    audit_events_for,
    case_view_record,
)
from cases.services.workflow import CasePermissionError


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows):
    writer = csv.writer(_Echo())
    return (writer.writerow(row) for row in rows)


def _audited_case(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not permissions.can(request.user, Action.VIEW_AUDIT, case.school_id):
        raise Http404
    return case


def _csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@never_cache
@login_required
@require_GET
def case_audit(request, case_id: int):
    case = _audited_case(request, case_id)
    case_view_record(case=case, actor=request.user, what="audit trail")
    events = list(audit_events_for(user=request.user).filter(case=case))
    words = EventSentences(events)
    rows = [(event, words.sentence(event)) for event in events]
    return render(request, "workspace/case_audit.html", {"case": case, "rows": rows})


@login_required
@require_GET
def case_audit_csv(request, case_id: int):
    case = _audited_case(request, case_id)
    case_view_record(case=case, actor=request.user, what="audit trail export")
    events = audit_events_for(user=request.user).filter(case=case)
    return _csv_response(csv_lines(audit_csv_rows(events)), f"audit-{case.reference}.csv")


def _day(value: str | None, *, end: bool = False):
    day = parse_date(value or "")
    if day is None:
        return None
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return moment + timedelta(days=1) if end else moment


@login_required
@require_GET
def district_audit_csv(request):
    """Every event of the admin's district(s); ?since=YYYY-MM-DD&until=YYYY-MM-DD (inclusive)."""
    try:
        lines = audit_csv_lines(
            user=request.user,
            since=_day(request.GET.get("since")),
            until=_day(request.GET.get("until"), end=True),
        )
    except CasePermissionError as error:
        raise Http404 from error
    stamp = timezone.now().strftime("%Y%m%d")
    return _csv_response(lines, f"audit-{stamp}.csv")
