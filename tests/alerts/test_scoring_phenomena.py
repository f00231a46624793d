"""The scorer on the phenomena a keyword list gets wrong, and on what must raise it.

Each test pins a severity or alert decision, so a regression in the lexicons or rules
fails loudly. No database, no Django settings: the scorer is pure Python.
"""

import pytest

from scoring import SEVERITIES, Scorer, score_text


def rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@pytest.mark.parametrize(
    "text",
    [
        "this test is killing me",
        "I'm dead 😂",
        "going to shoot hoops after school",
        "I bombed the exam",
        "you killed it tonight",
        "my mom is going to kill me",
        "this marketing class is gonna kill me",
        "dying of laughter",
        "I could murder a burger",
        "shoot me a text",
        "knock 'em dead",
        "slay",
        "that's sick",
        "kms lol this homework",
    ],
)
def test_it_does_not_alert_on_idiom_and_hyperbole(text):
    result = score_text(text)
    assert not result.alert
    assert rank(result.severity) <= rank("low")


@pytest.mark.parametrize(
    "text",
    [
        "I would never hurt anyone",
        "telling someone to kill themselves is not ok",
        "threatening to shoot people is never a joke",
        'He should be banned for posting "I will kill you all"',
    ],
)
def test_it_does_not_alert_on_negation_and_counter_speech(text):
    assert score_text(text).severity == "none"


@pytest.mark.parametrize(
    "text",
    [
        "police say a student threatened to shoot up the school",
        "the article says he planned to bomb the school",
        "a man was reportedly arrested after threatening to kill his neighbor",
    ],
)
def test_it_does_not_alert_on_reported_speech_and_news(text):
    assert not score_text(text).alert


@pytest.mark.parametrize(
    "text",
    [
        "in Fortnite I'm gonna shoot everyone",
        "killed the boss in Elden Ring",
        "the lyrics go I'm gonna shoot you down",
        "in the movie the villain stabs everyone",
    ],
)
def test_it_does_not_alert_on_games_lyrics_and_films(text):
    assert not score_text(text).alert


def test_it_raises_severity_with_intent_target_time_and_means():
    bare = score_text("shoot")
    intent = score_text("I'm going to shoot")
    targeted = score_text("I'm going to shoot everyone")
    planned = score_text("I'm going to shoot everyone at school tomorrow with my dad's rifle")
    scores = [r.categories["violence"] for r in (bare, intent, targeted, planned)]
    assert scores == sorted(scores) and len(set(scores)) == 4
    assert bare.severity in ("none", "low") and not bare.alert
    assert rank(targeted.severity) >= rank("high")
    assert planned.severity == "critical" and planned.alert


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I'm going to shoot up the school tomorrow", "violence"),
        ("I will bring my dad's gun to school on Friday", "weapons"),
        ("Those people should all be killed", "violence"),
    ],
)
def test_it_alerts_high_on_explicit_threats(text, category):
    result = score_text(text)
    assert result.alert
    assert rank(result.severity) >= rank("high")
    assert result.categories[category] >= 0.7


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "I'm going to kill myself",
        "goodbye everyone, I won't be here tomorrow",
        "took a bunch of pills",
        "I've been cutting again",
    ],
)
def test_it_rates_self_harm_high(text):
    result = score_text(text)
    assert result.alert
    assert rank(result.severity) >= rank("high")
    assert max(result.categories, key=result.categories.get) == "self_harm"


def test_it_alerts_on_cant_do_this_anymore_but_not_in_its_homework_sense():
    assert score_text("I can't do this anymore").alert
    assert not score_text("I can't do this math anymore lol").alert


@pytest.mark.parametrize(
    "text", ["kill yourself", "nobody would miss you", "you should die", "kys loser"]
)
def test_it_flags_bullying(text):
    # Bullying reaches its alert point; "you should die" also reads as a threat, so
    # violence may be as high.
    result = score_text(text)
    assert result.alert
    assert result.categories["bullying"] >= 0.5


def test_it_keeps_negated_self_harm_low():
    assert not score_text("I'm not going to kill myself, just a rough week").alert
    assert not score_text("if I had to sit through that again I would kill myself").alert


def test_it_is_deterministic():
    text = "I'm gonna k1ll everyone at Lincoln tomorrow 🔫"
    first = Scorer().score(text, school_terms=["Lincoln"]).to_dict(id="x")
    for _ in range(3):
        assert Scorer().score(text, school_terms=["Lincoln"]).to_dict(id="x") == first
        assert score_text(text, school_terms=["Lincoln"]).to_dict(id="x") == first


def test_it_respects_the_configured_threshold():
    text = "I'm going to kill you"
    score = score_text(text).score
    assert Scorer(threshold=min(1.0, score + 0.01)).score(text).alert is False
    assert Scorer(threshold=score).score(text).alert is True
    with pytest.raises(ValueError):
        Scorer(threshold=1.5)


def test_it_keeps_a_text_without_any_trigger_at_none_with_nothing_to_explain():
    # The learned tier gives every text a probability (never exactly 0): an everyday
    # text stays below "low", alerts on nothing and has no phrase to highlight.
    result = score_text("see you at practice, bring snacks")
    assert result.score < 0.2 and result.severity == "none" and result.matches == ()
    assert not result.alert
