"""The rules' own verdict (the scorer's floor) against their evidence for the combination.

A violent phrase aimed at a name-calling word with nothing that says it is meant counts
in the sum with the learned tier as before, but not as the rules' verdict on their own
(lexicons/insult.txt); a call for a trial lowers the phrase beside it unless the harm is
asked for after it (lexicons/desire.txt).
"""

import pytest

from scoring import default_scorer


def rules(text):
    return default_scorer().rules.run(text)


@pytest.mark.parametrize(
    "text",
    ["I'd kill that bitch so fast", "imma kill all them hoes", "ima kill a bitch for them"],
)
def test_it_keeps_a_threat_at_a_name_calling_word_out_of_the_rules_own_verdict(text):
    outcome = rules(text)
    assert outcome.logits["violence"] >= 0.0  # confident by the evidence alone
    assert outcome.verdicts["violence"] < 0.0  # but not a verdict of its own
    assert any("insult-addressed" in r for r in outcome.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to kill that bitch at school tomorrow",
        "imma kill that bitch for real",
        "imma kill that bitch, I have a knife",
        "imma kill you",
    ],
)
def test_it_keeps_the_verdict_when_a_cue_says_it_is_meant_or_a_person_is_aimed_at(text):
    outcome = rules(text)
    assert (outcome.verdicts or outcome.logits)["violence"] == outcome.logits["violence"]
    assert not any("insult-addressed" in r for r in outcome.reasons)


def test_a_call_for_a_trial_lowers_the_violence_beside_it():
    lowered = rules("They are murdering children and should be charged for it")
    wished = rules("They are murdering children and should be killed for it")
    assert lowered.strength("violence") <= 0.0 < wished.strength("violence")


def test_a_participle_after_the_call_for_a_trial_is_the_harm_asked_for():
    listed = rules("He should be charged with treason, murder and fraud")
    asked = rules("He should be charged with treason and then executed")
    assert listed.strength("violence") <= 0.0
    assert asked.logits["violence"] >= 0.0


@pytest.mark.parametrize(
    ("quiet", "meant"),
    [
        ("well i know you like it when children are murdered", "we'll murder them all"),
        ("they were going to kill him in the movie", "we're going to kill him"),
        ("hell yes and hang those responsible", "he'll hang those responsible"),
    ],
)
def test_intent_needs_its_apostrophe(quiet, meant):
    def intent(text):
        return [r for r in rules(text).reasons if "intent" in r]

    assert not intent(quiet)
    assert intent(meant)
