"""Posters and QR codes of a school's tip-line link and SMS number, for its staff."""

import io
import re
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.models import PhoneNumber, School
from accounts.public_address import public_url


def _school_for_staff(user, slug: str) -> School:
    school = get_object_or_404(School, slug=slug)
    if permissions.role_at(user, school) is None:
        raise Http404
    return school


def _short_link(school: School) -> str:
    return public_url(reverse("public:tip_form", args=[school.slug]))


# ?language= on the poster page: which languages the printed poster speaks.
POSTER_LANGUAGES = {"both": ("en", "es"), "en": ("en",), "es": ("es",)}
_NANP = re.compile(r"^\+1(\d{3})(\d{3})(\d{4})$")


@dataclass(frozen=True)
class PosterNumber:
    number: str  # E.164, for the sms: link
    display: str  # as people write it: (303) 555-0101
    names_the_school: bool  # False: a district-wide number, which asks for the school


def phone_display(number: str) -> str:
    """A North American number as (303) 555-0101; any other stays in E.164."""
    match = _NANP.match(number)
    return f"({match[1]}) {match[2]}-{match[3]}" if match else number


def _poster_numbers(school: School) -> list[PosterNumber]:
    """The school's own tip-line numbers, or else its district's district-wide ones."""
    own = PhoneNumber.objects.filter(school=school).values_list("number", flat=True)
    if own:
        return [PosterNumber(number, phone_display(number), True) for number in own]
    shared = PhoneNumber.objects.filter(district_id=school.district_id, school__isnull=True)
    return [
        PosterNumber(number, phone_display(number), False)
        for number in shared.values_list("number", flat=True)
    ]


@login_required
@require_GET
def school_poster(request, slug: str):
    school = _school_for_staff(request.user, slug)
    choice = request.GET.get("language", "both")
    if choice not in POSTER_LANGUAGES:
        choice = "both"
    return render(
        request,
        "workspace/school_poster.html",
        {
            "school": school,
            "short_link": _short_link(school),
            "sms_numbers": _poster_numbers(school),
            "poster_languages": POSTER_LANGUAGES[choice],
            "language_choice": choice,
        },
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
