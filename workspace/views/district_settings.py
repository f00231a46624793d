"""The district's settings pages: on-call lists and their order, school SMS numbers, alert
sources and their push tokens, the district policy and each school's hours. District admins
change them; a principal reads their school's on-call list and the policy. Thin, as
district.py: scope, form, service (which records the AdminChange), render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.district_admin import (
    DistrictAdminError,
    district_policy_update,
    on_call_add,
    on_call_candidates,
    on_call_move,
    on_call_remove,
    phone_number_add,
    phone_number_remove,
    school_hours_update,
)
from alerts import services as alert_services
from workspace import district_scope as scoped
from workspace.district_forms import (
    OnCallAddForm,
    PhoneNumberForm,
    PolicyForm,
    SchoolHoursForm,
    SourceForm,
)
from workspace.views.district import page_context

# --- On-call lists -------------------------------------------------------------------------


def _on_call_context(scope, forms_by_school=None) -> dict:
    forms_by_school = forms_by_school or {}
    lists = []
    for school, contacts in scoped.on_call_lists(scope):
        form = None
        if scope.is_admin:
            form = forms_by_school.get(school.id) or OnCallAddForm(
                candidates=on_call_candidates(school), prefix=f"school-{school.id}"
            )
        lists.append({"school": school, "contacts": contacts, "form": form})
    return page_context(scope, "on_call", lists=lists)


@login_required
@require_GET
def on_call(request, district_id: int):
    scope = scoped.district_scope(request.user, district_id)
    return render(request, "workspace/district/on_call.html", _on_call_context(scope))


@login_required
@require_POST
def on_call_add_view(request, district_id: int, school_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    school = scoped.school_get(scope, school_id)
    form = OnCallAddForm(
        request.POST, candidates=on_call_candidates(school), prefix=f"school-{school.id}"
    )
    if form.is_valid():
        try:
            contact = on_call_add(school=school, actor=request.user, user=form.cleaned_data["user"])
        except DistrictAdminError as exc:
            form.add_error("user", str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is number %(position)d on the call-down of %(school)s.")
                % {"name": contact.user, "position": contact.position, "school": school.name},
            )
            return redirect("district:on_call", district_id=scope.district.id)
    context = _on_call_context(scope, {school.id: form})
    return render(request, "workspace/district/on_call.html", context, status=400)


@login_required
@require_POST
def on_call_move_view(request, district_id: int, contact_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    contact = scoped.on_call_get(scope, contact_id)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if step is None:
        return HttpResponseBadRequest(_("Say whether to move the contact up or down."))
    on_call_move(contact=contact, actor=request.user, step=step)
    url = reverse("district:on_call", args=[scope.district.id])
    return redirect(f"{url}#school-{contact.school_id}")


@login_required
@require_POST
def on_call_remove_view(request, district_id: int, contact_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    contact = scoped.on_call_get(scope, contact_id)
    name, school = str(contact.user), contact.school.name
    on_call_remove(contact=contact, actor=request.user)
    messages.success(
        request,
        _("%(name)s is off the call-down of %(school)s.") % {"name": name, "school": school},
    )
    return redirect("district:on_call", district_id=scope.district.id)


# --- SMS numbers ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def numbers(request, district_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    form = PhoneNumberForm(
        request.POST if request.method == "POST" else None, schools=scope.schools()
    )
    if request.method == "POST" and form.is_valid():
        try:
            row = phone_number_add(
                district=scope.district,
                actor=request.user,
                number=form.cleaned_data["number"],
                school=form.cleaned_data["school"],
            )
        except DistrictAdminError as exc:
            form.add_error("number", str(exc))
        else:
            messages.success(request, _("%(number)s now receives tips.") % {"number": row.number})
            return redirect("district:numbers", district_id=scope.district.id)
    return render(
        request,
        "workspace/district/numbers.html",
        page_context(scope, "numbers", form=form, numbers=scoped.numbers_of(scope)),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def number_remove(request, district_id: int, number_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    row = scoped.number_get(scope, number_id)
    number = row.number
    phone_number_remove(phone_number=row, actor=request.user)
    messages.success(
        request,
        _("%(number)s no longer receives tips. Release it at Twilio too if it is not needed.")
        % {"number": number},
    )
    return redirect("district:numbers", district_id=scope.district.id)


# --- Alert sources -------------------------------------------------------------------------


@login_required
@require_GET
def sources(request, district_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    return render(
        request,
        "workspace/district/sources.html",
        page_context(scope, "sources", sources=scoped.sources_of(scope)),
    )


def _token_page(request, scope, source, token: str):
    """The token, shown in this answer only: never stored, never put in a message."""
    return render(
        request,
        "workspace/district/source_token.html",
        page_context(scope, "sources", source=source, token=token),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def source_new(request, district_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    form = SourceForm(request.POST if request.method == "POST" else None, schools=scope.schools())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            source, token = alert_services.source_create(
                district=scope.district,
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                schools=list(data["schools"]),
                server_url=data["server_url"],
                query=data["query"],
                feed_url=data["feed_url"],
                account_handle=data["account_handle"],
                app_password=data["app_password"],
                poll_interval_seconds=data["poll_interval_seconds"],
            )
        except DistrictAdminError as exc:
            form.add_error(None, str(exc))
        else:
            if token:
                return _token_page(request, scope, source, token)
            messages.success(request, _("%(name)s will be read shortly.") % {"name": source.name})
            return redirect("district:sources", district_id=scope.district.id)
    return render(
        request,
        "workspace/district/source_new.html",
        page_context(scope, "sources", form=form),
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_POST
def source_rotate(request, district_id: int, source_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    source = scoped.source_get(scope, source_id)
    try:
        token = alert_services.source_token_rotate(source=source, actor=request.user)
    except DistrictAdminError as exc:
        messages.error(request, str(exc))
        return redirect("district:sources", district_id=scope.district.id)
    return _token_page(request, scope, source, token)


@login_required
@require_POST
def source_enabled(request, district_id: int, source_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    source = scoped.source_get(scope, source_id)
    wanted = request.POST.get("enabled")
    if wanted not in ("0", "1"):
        return HttpResponseBadRequest(_("Say whether the source is to be read."))
    alert_services.source_enabled_set(source=source, actor=request.user, enabled=wanted == "1")
    if wanted == "1":
        messages.success(request, _("%(name)s is read again.") % {"name": source.name})
    else:
        messages.success(
            request,
            _("%(name)s is deactivated: not read, its token refused.") % {"name": source.name},
        )
    return redirect("district:sources", district_id=scope.district.id)


# --- Policy and school hours ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def policy(request, district_id: int):
    scope = scoped.district_scope(request.user, district_id)
    current = scoped.policy_of(scope)
    form = None
    if scope.is_admin:
        form = PolicyForm(
            request.POST if request.method == "POST" else None, instance=scoped.policy_of(scope)
        )
    elif request.method == "POST":
        scope.require_admin()
    if form is not None and request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        changes = district_policy_update(district=scope.district, actor=request.user, values=values)
        if changes:
            messages.success(request, _("The district policy is saved."))
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("district:policy", district_id=scope.district.id)
    rows = [
        (current._meta.get_field(name).verbose_name, _display(current, name))
        for name in PolicyForm.Meta.fields
    ]
    return render(
        request,
        "workspace/district/policy.html",
        page_context(scope, "policy", form=form, rows=rows, schools=scope.schools()),
        status=400 if form is not None and form.errors else 200,
    )


def _display(row, name: str):
    getter = getattr(row, f"get_{name}_display", None)
    return getter() if getter else getattr(row, name)


@login_required
@require_http_methods(["GET", "POST"])
def school_hours(request, district_id: int, school_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    school = scoped.school_get(scope, school_id)
    form = SchoolHoursForm(
        request.POST if request.method == "POST" else None,
        instance=scoped.school_get(scope, school_id),
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            changes = school_hours_update(school=school, actor=request.user, values=values)
        except DistrictAdminError as exc:
            form.add_error(None, str(exc))
        else:
            if changes:
                messages.success(request, _("Hours of %(school)s saved.") % {"school": school.name})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("district:policy", district_id=scope.district.id)
    return render(
        request,
        "workspace/district/school_hours.html",
        page_context(scope, "policy", form=form, school=school),
        status=400 if form.errors else 200,
    )
