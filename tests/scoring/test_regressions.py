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
    # Issue 15, third round (the proxy's tuning half). A threat in form aimed at a
    # name-calling word, with nothing that says it is meant: not the rules' own verdict.
    "If anxiety was a person I'd kill that bitch so fuckin fast.",
    "maddie, karissa and I have gotten so close I'd kill a bitch for them tbh",
    "you let me know then lol I'll go over and kill all them hoes",
    "Ima kill that pussy straight murder that shit",
    # "we'll" without its apostrophe read "well"; "were", "hell" and "shell" read "we're",
    # "he'll" and "she'll".
    "Beat the pussy in so well her shit still hurting from a week ago",
    "well, I know you like it when children are murdered",
    # A call for a trial names a crime; it asks for no harm.
    "They are murdering children and should be charged for it",
    "He needs to be brought up on charges of malpractice, fraud, murder etc.",
    # "Suicide" that is no one's death; dying for someone else is no wish to die.
    "Democrats believe in slow motion suicide",
    "that speech was political suicide",
    "Ok there pal, go die for someone else and tell me whose the slave",
    # "a" names nobody: a gun bought, a rifle that shoots.
    "Is it possible to buy a replica American Revolution rifle that really shoots?",
    # Beside "there will be a shooting friday": a star, a basketball position.
    "there will be a shooting star tonight, make a wish",
    "he's the best shooting guard in our school",
    # A counterfactual past is no intent.
    "I would've killed Victor Sweet if I was one of his",
    # Beside a student's report of being bullied and schoolyard threats: the same words
    # about a pet, a family joke, a game.
    "my friends laugh at me when i trip lol",
    "my mom always laughs at me when I sing lol",
    "the dog won't leave me alone lol",
    "lmao i'll beat your ass in 2k",
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
    # Beside the name-calling threats: a school, a time, a weapon or "for real" says it is
    # meant, and "you" is someone.
    "I'm going to kill that bitch at school tomorrow",
    "imma kill that bitch for real",
    "I'll kill that bitch, I have my dad's gun",
    "imma kill you",
    "we'll kill you all tomorrow",
    # Beside the calls for a trial: the harm asked for after it.
    "These scumbags should be charged with treason and then executed",
    "They all should be arrested for treason and shot",
    # Beside political suicide: one's own.
    "I'm going to commit suicide tonight",
    "i want to die, i'd rather die than go back there",
    # Beside "a" naming nobody: a weapon to be used on the reporter.
    "he said he has a knife and he's going to use it on me",
    # "a" names nobody, but an event announced with a time is a plan.
    "someone wrote on the bathroom wall that there will be a shooting friday",
    "there's gonna be a shooting at school tomorrow",
    # Beside the counterfactual past: the plain conditional.
    "I would kill him if I saw him again, I have a knife",
    # A student's own report of being bullied, and schoolyard threats (they rated "none").
    "they keep calling me fat and ugly every day",
    "she keeps calling me names on the bus",
    "everyone in class laughs at me and posts pics of me",
    "I'm gonna punch him in the face tomorrow",
    "I'll beat your ass after school",
    "watch your back at school tomorrow",
]


@pytest.mark.parametrize("text", QUIET)
def test_it_does_not_alert_on(text):
    result = default_scorer().score(text)
    assert not result.alert, (text, result.categories, result.reasons)


@pytest.mark.parametrize("text", ALERT)
def test_it_still_alerts_on(text):
    result = default_scorer().score(text)
    assert result.alert, (text, result.categories, result.reasons)
