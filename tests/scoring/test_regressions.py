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
    # Issue 15, item 1 (teenagers' bullying): beside each insult, exclusion, humiliation,
    # schoolyard fight or report that now alerts, the same words as banter, about a
    # thing, a pet, a game, or lowered by a laugh, a negation or counter-speech.
    "ur so dumb lol love u",
    "u r a loser lol jk ily",
    "kys lol that was so funny",
    "kill yourself in the game to respawn",
    "go die in a fire lol jk",
    "everyone hates mondays",
    "your ugly sweater is amazing",
    "you're not ugly at all",
    "nobody thinks you're ugly",
    "calling someone ugly is not ok",
    "stop saying you're ugly, you're beautiful",
    "we all laughed at the movie",
    "we all laughed at your joke",
    "we all laughed at you when you fell lmao love you",
    "don't sit with us at lunch if you're sick lol",
    "don't sit on the couch with your shoes",
    "i posted your pic on your birthday",
    "post your pic in the comments",
    "i'm going to post your pics from the trip",
    "they made a group chat for the team",
    "i was bullied as a kid and it still affects me",
    "she said she posted my pics lol",
    "they call me mom",
    "they call me every day",
    "my friends call me names like dork lol",
    "my cat keeps following me around",
    "he keeps hitting me up asking for money",
    "he keeps pushing me to be better",
    "my coach keeps pushing me to work harder",
    "the baby keeps kicking me all night",
    "fight me at lunch for the last cookie lol",
    "i'll fight you at lunch in smash bros",
    "there's gonna be a fight scene in the movie",
    "gonna jump in the pool after school",
    "we jump rope after school",
    "todos se rien de mi chiste",
    "subieron fotos de mi perro",
    "eres muy bonita",
    # Issue 15, item 3: executions by name count as violence, not a show or a museum.
    "six feet under is my favorite show",
    "we saw a guillotine at the history museum",
    "the firing squad scene in the movie was intense",
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
    # Issue 15, item 1: teenagers' bullying (they rated "none" before): insults aimed at
    # "you" in text speak, everyone against one, exclusion, humiliation with pictures,
    # schoolyard fights with their place or time, a student's own report; and Spanish.
    "ur so ugly",
    "u r a loser",
    "your so ugly",
    "ur a loser and everyone knows it",
    "ur a waste of space fr",
    "everyone thinks ur a loser",
    "we all hate you",
    "we all laughed at you",
    "you can't sit with us",
    "don't sit with us",
    "im gonna post your ugly pic",
    "he leaked her nudes",
    "they posted my nudes",
    "she posted a video of me",
    "gonna jump you after school",
    "he's gonna fight me at lunch",
    "fight me at lunch",
    "i'm gonna beat you up after school",
    "they're gonna jump me at recess",
    "there's gonna be a fight after school",
    "kids call me names",
    "they call me names",
    "kids keep pushing me",
    "he keeps hitting me",
    "he keeps threatening me",
    "this girl keeps touching me in class",
    "they bully me every day",
    "i'm getting bullied at school",
    "they made a group chat to make fun of me",
    "eres un perdedor",
    "todos te odian",
    "todos se ríen de mí",
    "me dicen gorda todos los días",
    "no dejan de molestarme",
    "me hacen bullying en la escuela",
    "no te puedes sentar con nosotras",
    "te vamos a madrear a la salida",
    "le van a pegar en el recreo",
    # Issue 15, item 3: an execution by name with intent and a target.
    "i am going to put him six feet under tomorrow",
    "bring out the firing squad for all of them",
]


@pytest.mark.parametrize("text", QUIET)
def test_it_does_not_alert_on(text):
    result = default_scorer().score(text)
    assert not result.alert, (text, result.categories, result.reasons)


@pytest.mark.parametrize("text", ALERT)
def test_it_still_alerts_on(text):
    result = default_scorer().score(text)
    assert result.alert, (text, result.categories, result.reasons)
