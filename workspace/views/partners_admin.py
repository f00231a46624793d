"""Partner agencies (police, sheriff, crisis centre, CPS...) and their contacts, kept by the
district's admins. Counselors and district admins share cases with these contacts from the
case page; the shares themselves live on their cases. No case content here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import PartnerAgency
from cases.services.shares import (
    partner_agency_create,
    partner_contact_create,
    partner_districts_for,
    partner_set_active,
)
from workspace.partner_forms import PartnerAgencyForm, PartnerContactForm


def _districts(user):
    districts = partner_districts_for(user=user)
    if not districts.exists():
        raise Http404
    return districts


def _agency(user, agency_id: int) -> PartnerAgency:
    districts = _districts(user)
    return get_object_or_404(
        PartnerAgency.objects.select_related("district"), id=agency_id, district__in=districts
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def partner_list(request):
    districts = _districts(request.user)
    form = PartnerAgencyForm(request.POST or None, districts=districts)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                agency = partner_agency_create(
                    district=form.chosen_district(),
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                )
            except IntegrityError:
                form.add_error("name", _("The district already has a partner of that name."))
            else:
                messages.success(request, _("%(name)s was added.") % {"name": agency.name})
                return redirect("partners_staff:detail", agency_id=agency.id)
        status = 400
    agencies = (
        PartnerAgency.objects.filter(district__in=districts)
        .prefetch_related("contacts")
        .order_by("name")
    )
    context = {"agencies": agencies, "form": form}
    return render(request, "workspace/partners/list.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def partner_detail(request, agency_id: int):
    agency = _agency(request.user, agency_id)
    form = PartnerContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            contact = partner_contact_create(
                agency=agency,
                actor=request.user,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                phone_number=form.cleaned_data["phone_number"],
            )
            messages.success(request, _("%(name)s was added.") % {"name": contact.name})
            return redirect("partners_staff:detail", agency_id=agency.id)
        status = 400
    context = {"agency": agency, "contacts": agency.contacts.all(), "form": form}
    return render(request, "workspace/partners/detail.html", context, status=status)


@login_required
@require_POST
def partner_active(request, agency_id: int):
    agency = _agency(request.user, agency_id)
    partner_set_active(row=agency, actor=request.user, active=request.POST.get("active") == "1")
    return redirect("partners_staff:detail", agency_id=agency.id)


@login_required
@require_POST
def contact_active(request, agency_id: int, contact_id: int):
    agency = _agency(request.user, agency_id)
    contact = get_object_or_404(agency.contacts, id=contact_id)
    partner_set_active(row=contact, actor=request.user, active=request.POST.get("active") == "1")
    return redirect("partners_staff:detail", agency_id=agency.id)
