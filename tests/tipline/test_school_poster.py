"""The printable poster: the school's link, QR code and SMS number, in English, Spanish or
both; the district's number (which asks for the school) when the school has none."""

import re

import pytest

from accounts.models import PhoneNumber
from workspace.views.schools import phone_display

pytestmark = pytest.mark.django_db
POSTER = "/staff/schools/lincoln-high/poster/"
ENGLISH = "Worried about someone? Tell us."
SPANISH = "¿Te preocupa alguien? Cuéntanos."


def _number(personas, number, *, school=True):
    PhoneNumber.objects.create(
        number=number,
        district=personas.school_a.district,
        school=personas.school_a if school else None,
    )


def _poster(client, query=""):
    response = client.get(POSTER + query)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_it_shows_the_school_number_beside_the_link_and_qr_code_in_both_languages(
    client_for, personas
):
    _number(personas, "+13035550101")
    _number(personas, "+13035550100", school=False)  # the district's: not this school's
    poster = _poster(client_for(personas.counselor_a))
    section = poster[poster.index('<section class="poster"') :]
    assert 'href="sms:+13035550101"' in section and "(303) 555-0101" in section
    assert "555-0100" not in section
    assert "https://tips.example.org/s/lincoln-high/" in section
    assert 'src="/staff/schools/lincoln-high/qr.svg"' in section
    text = _text(section)
    assert ENGLISH in text and SPANISH in text
    assert "Or send a text to" in text and "O envía un mensaje de texto al" in text
    assert "Llama al 911" in text and "Call 911" in text
    assert 'lang="es"' in section


@pytest.mark.parametrize(
    ("choice", "present", "absent"),
    [("en", ENGLISH, SPANISH), ("es", SPANISH, ENGLISH), ("nonsense", SPANISH, None)],
)
def test_it_prints_the_language_chosen(client_for, personas, choice, present, absent):
    _number(personas, "+13035550101")
    text = _text(_poster(client_for(personas.principal_a), f"?language={choice}"))
    assert present in text
    if absent:
        assert absent not in text


def test_it_falls_back_to_the_district_number_that_asks_for_the_school(client_for, personas):
    _number(personas, "+13035550100", school=False)
    poster = _poster(client_for(personas.district_admin))
    text = _text(poster[poster.index('<section class="poster"') :])
    assert "(303) 555-0100" in text
    assert "and name your school: Lincoln High" in text
    assert "y escribe el nombre de tu escuela: Lincoln High" in text


def test_it_says_when_there_is_no_number_at_all(client_for, personas):
    poster = _poster(client_for(personas.counselor_a))
    assert "shows the link only" in poster and 'href="sms:' not in poster


def test_it_refuses_the_poster_to_anonymous_and_other_schools(client, client_for, personas):
    assert "/accounts/login/" in client.get(POSTER)["Location"]
    for persona in (personas.counselor_b, personas.other_district_admin):
        assert client_for(persona).get(POSTER + "?language=es").status_code == 404


def test_it_writes_numbers_as_people_do():
    assert phone_display("+13035550101") == "(303) 555-0101"
    assert phone_display("+447700900123") == "+447700900123"
