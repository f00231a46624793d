"""The case page: one timeline of everything on a case, and the controls to work it.

Every access decision goes through accounts.permissions (via tipline.selectors); anything
out of the user's scope is a 404. Every view of a case is written to its audit trail.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.permissions import Action
from cases.models import Case, CaseEvent, CaseStatus, CaseWatcher
from cases.selectors import case_get_for_user, cases_visible_to
from cases.services.audit import attachment_view_record, case_view_record
from cases.services.shares import partner_contacts_for_case
from tipline.attachments import attachment_read
from tipline.selectors import case_reporters
from workspace.forms import (
    AssignForm,
    CloseForm,
    NoteForm,
    PriorityForm,
    ReferenceForm,
    ReopenForm,
    ResolveForm,
    StatusForm,
    TagsForm,
)
from workspace.partner_forms import ShareForm
from workspace.selectors import case_timeline, staff_assignable_for

from ..forms import StaffReplyForm
from ..templatetags.workspace import is_overdue
from .common import is_htmx


def _forms(case: Case, user, reporters) -> dict:
    version = {"version": case.version}
    tags = list(case.tags.values_list("category", flat=True))
    forms = {
        "note_form": NoteForm(),
        "priority_form": PriorityForm(initial={**version, "priority": case.priority}),
        "tags_form": TagsForm(initial={**version, "categories": tags}),
        "assign_form": AssignForm(
            initial={**version, "assignee": case.assignee_id},
            staff=staff_assignable_for(school=case.school),
        ),
        "merge_form": ReferenceForm(initial=version, prefix="merge"),
        "link_form": ReferenceForm(initial=version, prefix="link"),
    }
    contacts = partner_contacts_for_case(case=case)
    if contacts.exists():
        forms["share_form"] = ShareForm(contacts=contacts)
    if reporters:
        forms["reply_form"] = StaffReplyForm(
            reporters=case_reporters(case=case), initial={"reporter": reporters[0]}
        )
    if case.is_open:
        forms["status_form"] = StatusForm(initial=version, case=case)
        forms["resolve_form"] = ResolveForm(initial=version)
    elif case.status == CaseStatus.RESOLVED:
        forms["close_form"] = CloseForm(initial=version)
    if not case.is_open and case.merged_into_id is None:
        forms["reopen_form"] = ReopenForm(initial=version)
    return forms


def workspace_context(request, case: Case, *, bound: dict | None = None, **extra) -> dict:
    """Everything the case page (or its htmx partial) shows. `bound` replaces blank forms
    with ones the user submitted, so their errors show next to their input."""
    user = request.user
    can_work = permissions.can(user, Action.WORK_CASES, case.school_id)
    reporters = list(case_reporters(case=case))
    watchers = list(CaseWatcher.objects.filter(case=case).select_related("user"))
    timeline = case_timeline(case=case)
    context = {
        "notice": "",
        "error": "",
        "case": case,
        # The tipster's own words open the page (on a phone, before anything else); the
        # rest of the timeline follows the reply box.
        "tip_entries": [entry for entry in timeline if entry.kind == "tip"],
        "timeline": [entry for entry in timeline if entry.kind != "tip"],
        "can_work": can_work,
        "can_audit": permissions.can(user, Action.VIEW_AUDIT, case.school_id),
        "reporters": reporters,
        "tags": list(case.tags.all()),
        "watchers": watchers,
        "is_watching": any(w.user_id == user.id for w in watchers),
        "shares": list(case.shares.select_related("contact__agency", "shared_by", "revoked_by")),
        "now": timezone.now(),
        "related": list(cases_visible_to(user=user).filter(related_cases=case)),
        "merged_cases": list(cases_visible_to(user=user).filter(merged_into=case)),
        "merged_into": (
            cases_visible_to(user=user).filter(id=case.merged_into_id).first()
            if case.merged_into_id
            else None
        ),
        "overdue": is_overdue(case),
        "acknowledged_by": (
            case.events.filter(kind=CaseEvent.Kind.ACKNOWLEDGED, data__first=True)
            .select_related("actor")
            .first()
            if case.acknowledged_at
            else None
        ),
        **extra,
    }
    if can_work:
        context.update(_forms(case, user, reporters))
    context.update(bound or {})
    return context


def render_case(request, case: Case, *, status: int = 200, **context):
    """The full page, or for htmx the workspace partial (always 200, so htmx swaps it).

    Both show the whole timeline (tips, messages, notes), so every render is written to the
    case's audit trail here, whichever view asked for it: the page itself, and the partial
    or error page an action answers with."""
    case_view_record(case=case, actor=request.user)
    context = workspace_context(request, case, htmx=is_htmx(request), **context)
    if context["htmx"]:
        return render(request, "workspace/_case_workspace.html", context)
    return render(request, "workspace/case_detail.html", context, status=status)


@never_cache
@login_required
@require_GET
def case_detail(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    return render_case(request, case)


@login_required
@require_GET
def attachment_download(request, case_id: int, attachment_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    # A purged case's files wait for tipline's retention sweep to delete them: none is served.
    if case.purged_at is not None:
        raise Http404
    attachment = get_object_or_404(case.attachments, id=attachment_id)
    data = attachment_read(attachment)
    attachment_view_record(case=case, attachment=attachment, actor=request.user)
    extension = attachment.storage_name.split(".")[1]
    response = HttpResponse(data, content_type=attachment.content_type)
    # A call's recording plays in the case page's <audio> player; anything else downloads.
    disposition = "inline" if attachment.content_type.startswith("audio/") else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="case-{case.reference}-{attachment.id}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def redirect_or_render(request, case: Case, notice: str):
    """After a successful action: htmx gets the fresh workspace with the notice announced;
    a plain POST is redirected to the case page (POST/redirect/GET)."""
    if is_htmx(request):
        fresh = case_get_for_user(user=request.user, case_id=case.id)
        return render_case(request, fresh, notice=notice)
    messages.success(request, notice)
    return redirect("tipline:case_detail", case_id=case.id)
