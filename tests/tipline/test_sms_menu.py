"""A district-wide number's menu takes a school's number or its name, typed loosely, and says
how to answer when it cannot tell."""

import pytest

from tests.factories import SchoolFactory
from tipline.models import SmsPendingText, Tip
from tipline.sms.gsm7 import is_gsm7, segment_count

from .sms_support import DISTRICT_NUMBER, numbers, replies, sms_fresh_state, text  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]


def _district(client, words: str):
    return text(client, words, to=DISTRICT_NUMBER)


@pytest.mark.parametrize(
    "answer",
    [
        "1",
        "#1",
        "1.",
        "number 1",
        "Lincoln",
        "lincoln high",
        "LINCON",
        "Lincoln High School",
        "  lincoln. ",
        "LHS",
        "lh",
        "linc",
        "escuela Lincoln",
    ],
)
def test_it_takes_lincoln_by_number_or_loose_name(client, personas, answer):
    _district(client, "a fight after school")
    [reply] = replies(_district(client, answer))
    tip = Tip.objects.get()
    assert tip.school == personas.school_a and tip.body == "a fight after school"
    assert tip.case.reference in reply


@pytest.mark.parametrize("answer", ["2", "Roosevelt", "Rosevelt", "roosvelt middle", "RMS"])
def test_it_takes_roosevelt_by_number_or_loose_name(client, personas, answer):
    _district(client, "a fight after school")
    _district(client, answer)
    assert Tip.objects.get().school == personas.school_b


def test_it_says_how_to_answer_when_a_name_fits_two_schools(client, personas):
    SchoolFactory(district=personas.school_a.district, name="Lincoln Middle", slug="lm")
    [menu] = replies(_district(client, "a fight after school"))
    assert "Reply with its number or name" in menu and "3 Roosevelt Middle" in menu
    [again] = replies(_district(client, "Lincoln"))
    assert "could not tell which school" in again and "1 Lincoln High" in again
    assert Tip.objects.count() == 0 and SmsPendingText.objects.count() == 2
    _district(client, "lincoln middle")
    assert Tip.objects.get().school.name == "Lincoln Middle"


def test_it_keeps_a_tip_that_names_a_school_as_a_tip(client):
    [menu] = replies(_district(client, "someone has a gun at Lincoln"))
    assert "Which school?" in menu
    assert Tip.objects.count() == 0 and SmsPendingText.objects.count() == 1


def test_it_asks_in_spanish_after_a_spanish_text(client, personas):
    [menu] = replies(_district(client, "hay una pelea en el patio"))
    assert "¿Qué escuela?" in menu and "1 Lincoln High" in menu
    assert is_gsm7(menu) and segment_count(menu) <= 2
    [again] = replies(_district(client, "la otra"))
    assert "No sabemos" in again
    [reply] = replies(_district(client, "roosevelt"))
    assert "recibimos tu aviso" in reply
