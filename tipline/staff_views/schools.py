"""Posters and QR codes of a school's tip-line link, for its staff."""

import io

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.models import School
from accounts.public_address import public_url


def _school_for_staff(user, slug: str) -> School:
    school = get_object_or_404(School, slug=slug)
    if permissions.role_at(user, school) is None:
        raise Http404
    return school


def _short_link(school: School) -> str:
    return public_url(reverse("public:tip_form", args=[school.slug]))


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
