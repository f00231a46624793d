"""The minimal staff side of web tips: case list, case detail, attachments, replies, posters.

Every access decision goes through accounts.permissions (via tipline.selectors); anything
out of the user's scope is a 404. Every view of a case is written to its audit trail.
"""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import School
from accounts.permissions import Action

from .attachments import attachment_read
from .forms import StaffReplyForm
from .models import OPEN_STATUSES, CaseEvent, Reporter
from .selectors import case_get_for_user, cases_visible_to
from .services.cases import case_event_record, message_to_reporter


def _reporters_of(case):
    return Reporter.objects.filter(tips__case=case).distinct().order_by("id")


@never_cache
@login_required
@require_GET
def case_list(request):
    if not permissions.school_ids_for(request.user, Action.VIEW_CASES):
        raise Http404
    cases = (
        cases_visible_to(user=request.user)
        .filter(status__in=OPEN_STATUSES, merged_into__isnull=True)
        .select_related("school")
        .order_by("priority", "-created_at")[:200]
    )
    schools = School.objects.filter(
        id__in=permissions.roles_by_school(request.user).keys()
    ).order_by("name")
    return render(request, "tipline/staff/case_list.html", {"cases": cases, "schools": schools})


def _detail_context(request, case, form=None):
    can_work = permissions.can(request.user, Action.WORK_CASES, case.school_id)
    reporters = _reporters_of(case)
    if form is None and can_work and reporters:
        form = StaffReplyForm(reporters=reporters, initial={"reporter": reporters[0]})
    return {
        "case": case,
        "tips": case.tips.prefetch_related("attachments"),
        "conversation": case.messages.select_related("reporter", "author").prefetch_related(
            "attachments"
        ),
        "form": form if can_work else None,
    }


@never_cache
@login_required
@require_GET
def case_detail(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    case_event_record(case=case, kind=CaseEvent.Kind.VIEWED, actor=request.user)
    return render(request, "tipline/staff/case_detail.html", _detail_context(request, case))


@login_required
@require_GET
def attachment_download(request, case_id: int, attachment_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    attachment = get_object_or_404(case.attachments, id=attachment_id)
    data = attachment_read(attachment)
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.ATTACHMENT_VIEWED,
        actor=request.user,
        attachment_id=attachment.id,
    )
    extension = attachment.storage_name.split(".")[1]
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="case-{case.reference}-{attachment.id}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def case_reply(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id, action=Action.WORK_CASES)
    form = StaffReplyForm(request.POST, reporters=_reporters_of(case))
    if not form.is_valid():
        context = _detail_context(request, case, form)
        return render(request, "tipline/staff/case_detail.html", context, status=400)
    message_to_reporter(
        case=case,
        reporter=form.cleaned_data["reporter"],
        body=form.cleaned_data["body"],
        author=request.user,
    )
    messages.success(request, _("Your message was sent to the tipster."))
    return redirect("tipline:case_detail", case_id=case.id)


def _school_for_staff(user, slug: str) -> School:
    school = get_object_or_404(School, slug=slug)
    if permissions.role_at(user, school) is None:
        raise Http404
    return school


def _short_link(school: School) -> str:
    return settings.PUBLIC_BASE_URL + reverse("public:tip_form", args=[school.slug])


@login_required
@require_GET
def school_poster(request, slug: str):
    school = _school_for_staff(request.user, slug)
    return render(
        request,
        "tipline/staff/school_poster.html",
        {"school": school, "short_link": _short_link(school)},
    )


@login_required
@require_GET
def school_qr_code(request, slug: str):
    """The short link as an SVG QR code, drawn here: no third-party QR service."""
    school = _school_for_staff(request.user, slug)
    image = qrcode.make(
        _short_link(school), image_factory=qrcode.image.svg.SvgPathImage, box_size=10
    )
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="tipline-{school.slug}-qr.svg"'
    return response
