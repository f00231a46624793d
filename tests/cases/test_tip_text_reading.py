"""The intake reads a tipster's words with the harm scorer, in English and in Spanish:
imminent harm is life safety, a weapon named is a weapon tip, idiom changes nothing."""

import pytest

from cases.models import Category, Priority
from cases.text_reading import tip_text_read


@pytest.mark.parametrize(
    ("text", "category", "phrase"),
    [
        ("I want to kill myself tonight", Category.SELF_HARM, "kill myself"),
        ("someone has a knife in their locker", Category.WEAPON, "knife"),
        ("he is bringing a gun to school tomorrow", Category.WEAPON, "gun"),
        ("lo voy a matar mañana", Category.THREAT, "matar"),
        ("traerá una pistola a la escuela", Category.WEAPON, "pistola"),
        ("mi hermano tiene una pistola en su mochila", Category.WEAPON, "pistola"),
        ("me quiero morir esta noche", Category.SELF_HARM, "me quiero morir"),
        ("me voy a suicidar", Category.SELF_HARM, "me voy a suicidar"),
        ("Me voy a matar.", Category.SELF_HARM, "Me voy a matar"),
    ],
)
def test_it_reads_imminent_harm_as_life_safety(text, category, phrase):
    reading = tip_text_read(text)
    assert reading.priority == Priority.LIFE_SAFETY
    assert reading.category == category
    assert reading.phrase == phrase
    assert reading.reason == f"Raised to life safety: '{phrase}'"


@pytest.mark.parametrize(
    "text",
    [
        "me muero de risa",
        "me mata este examen",
        "estoy muerto de cansancio",
        "this test is killing me",
        "someone is selling vapes in the bathroom",
        "I left my backpack in the locker",
        "",
    ],
)
def test_it_leaves_idiom_and_ordinary_tips_alone(text):
    reading = tip_text_read(text)
    assert (reading.priority, reading.category, reading.reason) == (None, None, "")


def test_it_reads_a_threat_without_a_plan_as_urgent():
    reading = tip_text_read("he said he'd kill me")
    assert (reading.priority, reading.category) == (Priority.URGENT, Category.THREAT)


def test_it_quotes_a_phrase_never_the_whole_tip():
    long_tip = "I want to kill myself tonight. " + "Details nobody should see. " * 20
    reading = tip_text_read(long_tip)
    assert reading.phrase == "kill myself"
    assert "Details" not in reading.reason


def test_it_files_a_students_own_bullying_report_as_bullying():
    # "they keep calling me names" is a pattern of bullying told first-hand: urgent, filed as
    # bullying (an SMS tip would otherwise stay under "Other").
    reading = tip_text_read("they keep calling me names on the bus")
    assert (reading.priority, reading.category) == (Priority.URGENT, Category.BULLYING)
    assert reading.phrase == "keep calling me names"
