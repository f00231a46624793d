"""A tip staff took (by phone, in person, by email, from a partner hotline), typed in.

Any staff member of a school (counselor, principal, district admin) may enter one there; it
goes through tipline.services.staff into the same intake core as web and SMS tips. The page
shows no case content; the case page it leads to is audited as always.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases.selectors import cases_visible_to
from tipline.services.staff import staff_tip_enter, staff_tip_schools
from workspace.intake_forms import StaffTipForm


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_tip_new(request):
    schools = staff_tip_schools(user=request.user)
    if not schools.exists():
        raise Http404
    if request.method == "GET":
        form = StaffTipForm(schools=schools)
        return render(request, "workspace/staff_tip_form.html", {"form": form})
    form = StaffTipForm(request.POST, request.FILES, schools=schools)
    if not form.is_valid():
        return render(request, "workspace/staff_tip_form.html", {"form": form}, status=400)
    data = form.cleaned_data
    tip = staff_tip_enter(
        school=data["school"],
        entered_by=request.user,
        received_by=data["received_by"],
        category=data["category"],
        body=data["body"],
        danger_now=data["danger_now"],
        who_involved=data["who_involved"],
        location=data["location"],
        when_happened=data["when_happened"],
        may_contact=data["may_contact"],
        contact_details=data["contact_details"],
        language=request.LANGUAGE_CODE,
        uploads=data["files"],
    )
    notice = _("The tip is stored as case %(reference)s.") % {"reference": tip.case.reference}
    messages.success(request, notice)
    if cases_visible_to(user=request.user).filter(id=tip.case_id).exists():
        return redirect("tipline:case_detail", case_id=tip.case_id)
    # A principal reads only escalated and life-safety cases: the counselors have it now.
    return redirect("tipline:staff_tip_new")
