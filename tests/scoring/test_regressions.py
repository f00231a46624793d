"""Posts the scorer once got wrong, kept so that it does not again.

Each false alert here was found on the competitor-stream proxy (ordinary posts that a
keyword list flags) or reported by a counselor; each alert kept beside it is the harmful
reading of the same words, so a fix that silences both fails.
"""

import pytest

from scoring import default_scorer

QUIET = [
    # Two ambiguous warning signs that read as excitement: they used to add up.
    "i'm so ready. tonight is the night",
    "im so ready. tonight is the night",
    "I'm so ready!! tonight's the night",
    "so ready. tonight is the night!!",
    "i'm so ready, tomorrow is the day",
    # "off yourself" was matched by "of yourself": a kind word read as harassment.
    "Take care of yourself appreciate everything you do.",
    "Lock and load folks. Take care of yourself.",
    "That is a reflection of yourself!!!!",
    # Legal and news talk names a crime; it threatens nobody.
    "He should be charged for murder",
    "Murphy should be arrested for killing so many elderly people.",
    "Now they should charge him with murder !!! Thousands died in nursing homes",
    "He needs to be tried for mass murder",
    # Shooting a gun at a range is a hobby.
    "Actually shot my first gun today. Would recommend, recoil wasn't bad at all.",
    "Brought my GF to a gravel pit today to shoot some guns",
    "Looking for outdoor place to shoot in South OC",
]

ALERT = [
    "i'm so ready. tonight is the night. goodbye everyone",
    "i've decided. tonight is the night. i have the pills",
    "i'm so ready. tonight is the night. i can't do this anymore",
    "why don't you just off yourself",
    "I will shoot you tomorrow at school",
    "im gonna shoot my gun at school tomorrow",
    "I will kill him and they can charge me with murder",
    "I am going to find the man who killed my brother and kill him",
]


@pytest.mark.parametrize("text", QUIET)
def test_it_does_not_alert_on(text):
    result = default_scorer().score(text)
    assert not result.alert, (text, result.categories, result.reasons)


@pytest.mark.parametrize("text", ALERT)
def test_it_still_alerts_on(text):
    result = default_scorer().score(text)
    assert result.alert, (text, result.categories, result.reasons)
