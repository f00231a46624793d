"""Four families a keyword list and a first version of the rules got wrong.

1. self-harm warning signs spread over one short post (farewell, means, time, burden...)
   must compound; 2. a threat told first-hand by the person threatened is a tip, not
   news; 3. spelled-out short words and incitement ("why don't you just jump off a
   bridge"); 4. a bare strong harm word is "low", ordinary profanity stays "none".
Each family has positives and hard negatives. The rows of scoring_cases/families.jsonl
(the cases the rules were tuned on) are pinned too; holdout.jsonl is deliberately NOT
pinned here: it is only measured, by bench/score_quality.py.
"""

import json
from pathlib import Path

import pytest

from scoring import SEVERITIES, default_scorer, score_text

CASES = Path(__file__).parent / "scoring_cases"


def rank(severity: str) -> int:
    return SEVERITIES.index(severity)


# --- 1. self-harm warning signs compound -------------------------------------------

FAREWELL_MEANS_TIME = (
    "nobody would even notice if I was gone. I have the pills saved up, tonight is the "
    "night. goodbye everyone"
)


@pytest.mark.parametrize(
    "text",
    [
        FAREWELL_MEANS_TIME,
        "i've written my note. tomorrow i won't be a problem for anyone anymore",
        "giving away my stuff, wont need it after friday",
        "I have a rope in my closet and I'm done",
        "i just want to sleep and never wake up",
    ],
)
def test_it_rates_combined_self_harm_warning_signs_high(text):
    result = score_text(text)
    assert result.alert
    assert rank(result.severity) >= rank("high")
    assert max(result.categories, key=result.categories.get) == "self_harm"


@pytest.mark.parametrize(
    "text",
    ["I took all of my mom's pills", "i just swallowed a whole bottle of pills"],
)
def test_it_rates_an_act_already_taken_critical(text):
    assert score_text(text).severity == "critical"


def test_it_alerts_on_two_ambiguous_signs_together_but_not_on_either_alone():
    together = score_text("i'm done. tonight is the night")
    assert together.alert
    assert not score_text("i'm done.").alert
    assert not score_text("tonight is the night").alert
    # "i'm so ready. tonight is the night" used to stay just below the alert point; with
    # the learned tier it crosses it (a known false alarm, see docs/scorer.md), but it
    # stays below the unambiguous pair.
    assert score_text("i'm so ready. tonight is the night").score < together.score


def test_it_compounds_signs_across_sentences_beyond_any_one_of_them():
    whole = score_text(FAREWELL_MEANS_TIME).categories["self_harm"]
    parts = [
        "nobody would even notice if I was gone.",
        "I have the pills saved up",
        "tonight is the night.",
        "goodbye everyone",
    ]
    alone = [score_text(p).categories["self_harm"] for p in parts]
    assert whole >= 0.88 > max(alone)
    assert score_text(FAREWELL_MEANS_TIME).severity == "critical"


def test_it_explains_combined_signs_with_spans_into_the_original_text():
    result = score_text(FAREWELL_MEANS_TIME)
    phrases = {m.phrase.lower() for m in result.matches if m.category == "self_harm"}
    assert {"goodbye everyone", "tonight is the night"} <= phrases
    for m in result.matches:
        assert FAREWELL_MEANS_TIME[m.start : m.end] == m.phrase
    assert any("warning signs" in r for r in result.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "goodbye everyone, see you after spring break!",
        "i took my meds this morning",
        "tonight is the night, concert time!!",
        "nobody would notice if I skipped class lol",
        "my mom is going to kill me if I fail",
        "i'm done with my homework finally",
        "i have a rope swing in my backyard",
        "giving away my old books, dm me if you want them",
        "i wrote my notes for the test tomorrow",
        "tomorrow i won't be at practice, family trip",
    ],
)
def test_it_keeps_everyday_farewells_and_finality_safe(text):
    result = score_text(text)
    assert not result.alert
    assert rank(result.severity) <= rank("low")


# --- 2. a threat told first-hand ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "he said he's going to kill me tomorrow with a knife",
        "a kid in my class said he is bringing a gun friday",
        "some guy told me he'll stab me at lunch tomorrow with his knife",
    ],
)
def test_it_rates_a_reported_threat_with_means_and_time_high(text):
    result = score_text(text)
    assert result.alert
    assert rank(result.severity) >= rank("high")


@pytest.mark.parametrize(
    "text",
    [
        "she keeps saying she'll stab me after school",
        "this boy in my math class said he's going to kill me",
        "a student threatened to shoot up our school",
        "they keep saying they will beat me up at recess",
    ],
)
def test_it_alerts_on_a_threat_reported_by_the_one_threatened(text):
    result = score_text(text)
    assert result.alert
    assert rank(result.severity) >= rank("medium")
    assert result.categories["violence"] >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "news: police say a student threatened to shoot",
        "police say a student threatened to shoot up the school",
        "in the song he says he'll kill them all",
        "my mom said she's going to kill me if i'm late again",
        "he said he's going to kill it at the game tomorrow",
        "she said she'll shoot me a text after school",
        "my friend said the test is going to kill us tomorrow",
        "my coach said he's going to kill us at practice lol",
        "he said he would never hurt me",
    ],
)
def test_it_still_damps_news_songs_and_idioms_in_reported_speech(text):
    assert not score_text(text).alert


def test_it_raises_the_same_threat_when_told_first_hand_over_the_news():
    told = score_text("he said he's going to stab me tomorrow").score
    news = score_text("police say he said he's going to stab me tomorrow").score
    assert told >= 0.7 > 0.5 > news


# --- 3. spelled-out short words and incitement ---------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("k y s", "bullying"),
        ("just go d i e", "bullying"),
        ("you should d i e", "bullying"),
        ("d.i.e loser", "bullying"),
        ("why don't you just jump off a bridge", "bullying"),
        ("why don't u go drown yourself", "bullying"),
        ("i want to d i e", "self_harm"),
    ],
)
def test_it_reads_spelled_out_words_and_incitement(text, category):
    # The category must reach its alert point; "you should die" may read as a threat
    # (violence) as much as harassment, so it need not be the top one.
    result = score_text(text)
    assert result.alert
    assert result.categories[category] >= 0.5


def test_it_points_a_spelled_out_word_at_its_letters():
    text = "just go d i e"
    match = next(m for m in score_text(text).matches if m.category == "bullying")
    assert text[match.start : match.end] == match.phrase
    assert match.phrase.endswith("d i e")


def test_it_joins_three_spaced_letters_only_into_a_lexicon_word():
    normalize = default_scorer().normalizer
    assert "die" in normalize("you should d i e").norm
    assert normalize("u r a legend").norm == "u r a legend"
    assert normalize("i d k lol").norm == "i d k lol"


@pytest.mark.parametrize(
    "text",
    [
        "why don't you just jump in with us",
        "why don't you just ask her out",
        "k y s is a terrible thing to say",
        "we jumped off the bridge into the lake in the summer",
        "i d k",
        "ride or die bitch",
    ],
)
def test_it_keeps_look_alike_incitement_and_shorthand_safe(text):
    assert not score_text(text).alert


# --- 4. a bare strong word is low; profanity at most low, never an alert --------------


@pytest.mark.parametrize("text", ["kill", "murder", "stab", "shooting", "suicide"])
def test_it_rates_a_bare_strong_harm_word_low_without_alerting(text):
    result = score_text(text)
    assert result.severity == "low"
    assert not result.alert


@pytest.mark.parametrize("text", ["killing it today", "i'm dead lmao"])
def test_it_keeps_idioms_at_none(text):
    assert score_text(text).severity == "none"


@pytest.mark.parametrize("text", ["fuck this shit", "damn bro", "bitch please", "hurt"])
def test_it_keeps_profanity_and_weak_words_at_most_low_and_never_alerts(text):
    # The learned tier gives an insult word on its own a small probability (about 0.2,
    # the floor of "low"): searchable in the feed, never an alert. The rules alone
    # weighed such words at nothing ("none").
    result = score_text(text)
    assert rank(result.severity) <= rank("low") and not result.alert


# --- the tuned case file --------------------------------------------------------------


def _rows(name: str) -> list[dict]:
    with (CASES / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_it_meets_every_expectation_of_the_tuned_family_cases():
    missed = []
    for case in _rows("families.jsonl"):
        result = score_text(case["text"])
        lo = rank(case.get("min_severity", "none"))
        hi = rank(case.get("max_severity", "critical"))
        if result.alert != bool(case["label"]) or not lo <= rank(result.severity) <= hi:
            missed.append((case["text"], result.severity, result.alert))
    assert missed == []


def test_it_keeps_the_holdout_separate_from_the_tuned_cases():
    tuned = {c["text"].lower() for c in _rows("families.jsonl")}
    held = {c["text"].lower() for c in _rows("holdout.jsonl")}
    assert len(held) >= 80 and not tuned & held
    families = {c["family"] for c in _rows("holdout.jsonl")}
    assert families == {"self_harm_plan", "reported_threat", "spelled_incitement", "bare_word"}
