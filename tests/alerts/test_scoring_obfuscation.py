"""Obfuscation (leetspeak, spacing, stretching, emoji) and spans into the original text."""

import pytest

from scoring import default_scorer, score_text


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to k1ll you all tomorrow",
        "i'm going to sh00t everyone tomorrow",
        "I'm going to k i l l everyone tomorrow",
        "I'm going to k.i.l.l everyone tomorrow",
        "I'm going to killllll everyone tomorrow",
        "I'M GOING TO KILL EVERYONE TOMORROW",
        "I’m going to kill everyone tomorrow",
    ],
)
def test_it_sees_through_obfuscated_threats(text):
    result = score_text(text)
    assert result.alert
    assert result.categories["violence"] >= 0.8


def test_it_reads_leetspeak_self_harm():
    assert score_text("thinking about 5uicide again, i want to d1e").alert


def test_it_reads_weapon_emoji_as_means():
    plain = score_text("I'm going to get them tomorrow")
    armed = score_text("I'm going to get them tomorrow 🔫")
    assert not plain.alert
    assert armed.categories["weapons"] > 0.0
    assert any(m.phrase == "🔫" for m in armed.matches)


def test_it_reads_laughing_emoji_as_hyperbole_with_an_idiom():
    assert not score_text("this class is killing me 😂😂").alert
    assert not score_text("kms 💀").alert


@pytest.mark.parametrize(
    "text",
    [
        "😂😂 ok but I'm going to sh00t up the school 🔫🔫 tmrw",
        "🙃 I’m gonna K.I.L.L every1 at LINCOLN 💣 friday",
        "aaaa 🤣 i want to diiiie fr, took a bunch of p1lls",
    ],
)
def test_it_maps_every_match_back_into_the_original_text(text):
    result = default_scorer().score(text, school_terms=["Lincoln"])
    assert result.matches
    for m in result.matches:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.phrase
        # the highlighted span starts and ends on something visible
        assert not text[m.start].isspace() and not text[m.end - 1].isspace()


def test_it_points_a_leet_match_at_the_leet_spelling():
    text = "😂 I will sh00t you 🔫"
    result = score_text(text)
    phrases = {m.phrase for m in result.matches}
    assert "sh00t" in phrases
    assert "🔫" in phrases
    shoot = next(m for m in result.matches if m.phrase == "sh00t")
    assert (shoot.start, shoot.end) == (text.index("sh00t"), text.index("sh00t") + 5)


def test_it_does_not_turn_numbers_into_letters():
    # "5pm" and "1st" are times and ordinals, not leetspeak
    result = score_text("practice at 5pm, 1st period test tomorrow")
    assert result.severity == "none" and result.matches == () and not result.alert
