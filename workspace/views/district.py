"""The district pages: a district admin runs the district from here (staff and roles, and
the changes log; the settings pages are district_settings.py); a principal reads their own
school's staff. Thin: scope (workspace.district_scope), a form, a service, render.

Every write goes through accounts.district_admin or alerts.services, which record it as an
AdminChange; a rule the service refuses comes back as the form's error, nothing saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.district_admin import (
    DistrictAdminError,
    staff_active_set,
    staff_invitation_resend,
    staff_invite,
    staff_roles_set,
)
from accounts.models import AdminChange, DistrictPolicy, Role, School
from workspace import district_scope as scoped
from workspace.district_forms import InviteForm, StaffRolesForm

CHANGES_PAGE_SIZE = 50


def page_context(scope, section: str, **context) -> dict:
    return {"scope": scope, "district": scope.district, "section": section, **context}


@login_required
@require_GET
def district_home(request):
    """The district pages' entry: the user's district (or the first of several)."""
    districts = scoped.districts_for(request.user)
    if not districts:
        raise PermissionDenied
    return redirect("district:overview", district_id=districts[0].id)


@login_required
@require_GET
def overview(request, district_id: int):
    scope = scoped.district_scope(request.user, district_id)
    schools = scope.schools()
    return render(
        request,
        "workspace/district/overview.html",
        page_context(
            scope,
            "overview",
            schools=schools,
            staff_count=scoped.staff_in(scope).filter(is_active=True).count(),
            numbers=scoped.numbers_of(scope).count() if scope.is_admin else None,
            sources=scoped.sources_of(scope).filter(enabled=True).count()
            if scope.is_admin
            else None,
            other_districts=scoped.districts_for(request.user),
        ),
    )


def _roles_text(user) -> list[str]:
    roles = [
        _("%(role)s at %(school)s")
        % {"role": membership.get_role_display(), "school": membership.school.name}
        for membership in user.district_roles
    ]
    if user.district_admin_roles:
        roles.insert(0, str(Role.DISTRICT_ADMIN.label))
    return roles


@login_required
@require_GET
def staff_list(request, district_id: int):
    scope = scoped.district_scope(request.user, district_id)
    people = [{"user": user, "roles": _roles_text(user)} for user in scoped.staff_in(scope)]
    return render(
        request, "workspace/district/staff_list.html", page_context(scope, "staff", people=people)
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_invite_view(request, district_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    form = InviteForm(request.POST if request.method == "POST" else None, schools=scope.schools())
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_invite(
                district=scope.district,
                actor=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                district_admin=form.cleaned_data["district_admin"],
                school_roles=form.school_roles(),
            )
        except DistrictAdminError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. They choose a password from the email.")
                % {"email": user.email},
            )
            return redirect("district:staff", district_id=scope.district.id)
    return render(
        request,
        "workspace/district/staff_invite.html",
        page_context(scope, "staff", form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, district_id: int, user_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    person = scoped.staff_get(scope, user_id)
    initial_roles = {m.school_id: m.role for m in person.district_roles}
    form = StaffRolesForm(
        request.POST if request.method == "POST" else None,
        schools=scope.schools(),
        initial_roles=initial_roles,
        initial={"district_admin": bool(person.district_admin_roles)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = staff_roles_set(
                district=scope.district,
                actor=request.user,
                user=person,
                district_admin=form.cleaned_data["district_admin"],
                school_roles=form.school_roles(),
            )
        except DistrictAdminError as exc:
            form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(request, _("Roles of %(name)s saved.") % {"name": person})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("district:staff", district_id=scope.district.id)
    return render(
        request,
        "workspace/district/staff_edit.html",
        page_context(scope, "staff", form=form, person=person),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def staff_active(request, district_id: int, user_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    person = scoped.staff_get(scope, user_id)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        return HttpResponseBadRequest(_("Say whether the account is to be active."))
    try:
        staff_active_set(
            district=scope.district, actor=request.user, user=person, active=wanted == "1"
        )
    except DistrictAdminError as exc:
        messages.error(request, str(exc))
    else:
        if wanted == "1":
            messages.success(request, _("%(name)s can sign in again.") % {"name": person})
        else:
            messages.success(
                request,
                _("%(name)s is deactivated: no sign-in, no API token, no call-down.")
                % {"name": person},
            )
    return redirect("district:staff_edit", district_id=scope.district.id, user_id=person.id)


@login_required
@require_POST
def staff_invite_again(request, district_id: int, user_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    person = scoped.staff_get(scope, user_id)
    try:
        staff_invitation_resend(district=scope.district, actor=request.user, user=person)
    except DistrictAdminError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Invitation sent to %(email)s again.") % {"email": person.email}
        )
    return redirect("district:staff_edit", district_id=scope.district.id, user_id=person.id)


# --- The changes log -----------------------------------------------------------------------


def _policy_label(field: str) -> str:
    """The setting's name as the forms show it (a field since removed keeps its code)."""
    for model in (DistrictPolicy, School):
        try:
            return str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            continue
    return field


def _roles_sentence(roles: dict, school_names: dict[str, str]) -> str:
    parts = [str(Role.DISTRICT_ADMIN.label)] if roles.get("district_admin") else []
    for school_id, role in sorted(roles.get("schools", {}).items()):
        parts.append(
            _("%(role)s at %(school)s")
            % {"role": Role(role).label, "school": school_names.get(school_id, "?")}
        )
    return ", ".join(parts) or _("no role")


def change_details(change: AdminChange, school_names: dict[str, str]) -> list[str]:
    """What the change did, as short sentences (no ids, no dictionaries)."""
    data = change.data or {}
    if "changes" in data:
        return [
            _("%(field)s: %(before)s → %(after)s")
            % {"field": _policy_label(field), "before": before, "after": after}
            for field, (before, after) in data["changes"].items()
        ]
    if "before" in data and isinstance(data["before"], dict):
        return [
            _("Before: %(roles)s") % {"roles": _roles_sentence(data["before"], school_names)},
            _("After: %(roles)s") % {"roles": _roles_sentence(data["after"], school_names)},
        ]
    if "roles" in data:
        return [_roles_sentence(data["roles"], school_names)]
    if "after" in data or "order" in data:
        order = data.get("after", data.get("order", []))
        return [_("Order now: %(order)s") % {"order": ", ".join(order) or _("empty")}]
    if "school_id" in data:
        name = school_names.get(str(data["school_id"]))
        return [name or _("District-wide")]
    return []


@login_required
@require_GET
def changes(request, district_id: int):
    scope = scoped.district_scope(request.user, district_id)
    scope.require_admin()
    page = Paginator(scoped.changes_of(scope), CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    school_names = {str(school.id): school.name for school in scope.schools()}
    rows = [{"change": change, "details": change_details(change, school_names)} for change in page]
    return render(
        request,
        "workspace/district/changes.html",
        page_context(scope, "changes", page=page, rows=rows),
    )
