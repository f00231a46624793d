"""Reading a tipster's words with the harm scorer: what priority and category they call for.

Every tip and every tipster message, whatever the channel and whichever language (English or
Spanish), goes through `tip_text_read`. It uses only the scorer's public result (per-category
scores, severity bands and matched phrases), so it works the same whether the scorer is made
of lexicons or of a learned model.

What counts as imminent harm in a tip, in terms of the scorer's output:

- **Life safety**: violence, self-harm or weapons language scored *high* or *critical* (a
  score that needs context to get there: intent, a time, a target, a weapon carried); or a
  weapon the scorer names (weapons at *low* or above: on posts the scorer keeps a bare weapon
  "low", since gun-hobby posts are ordinary) together with possession or a place in school
  ("has a knife in their locker", "tiene una pistola en su mochila"): a tip is a report about
  real people, and a weapon someone has at school is a weapon tip, which the category rule
  already treats as life safety.
- **Urgent**: any category, bullying included, scored *medium*.
- Anything lower changes nothing: a bare "kill" or an idiom ("this test is killing me",
  "me muero de risa") stays where the tipster put it.

A tip is not a public post: it is addressed to the school about real people, so a tip that
scores high is read as a report, not as hyperbole. The reading only ever raises: the intake
keeps the tipster's own category and answer when they say more than the text does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cases.models import Category, Priority
from scoring import score_text, severity_for

# The scorer's categories, as the case categories a counselor files under.
CATEGORY_OF = {
    "violence": Category.THREAT,
    "self_harm": Category.SELF_HARM,
    "weapons": Category.WEAPON,
    "bullying": Category.BULLYING,
}
LIFE_SAFETY_SCORES = ("violence", "self_harm", "weapons")
_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
# The longest phrase quoted on the case page (the whole text never is).
PHRASE_MAX_LENGTH = 80
# Someone has, carries or brings a weapon, or it is somewhere at school (English and Spanish).
# Read only when the scorer has named a weapon.
WEAPON_AT_HAND = re.compile(
    r"\b(?:ha[sd]|have|having|got|brought|brings?|bringing|carr(?:y|ies|ying|ied)|keeps?|"
    r"hid(?:es|den|ing)?|pack(?:s|ed|ing)|showed|flash(?:es|ed|ing)|"
    r"locker|backpack|back\s?pack|bag|purse|pocket|waistband|car|truck|school|class(?:room)?|"
    r"bus|bathroom|gym|campus|"
    r"tiene|ten[ií]a|trae|tra[jy]o|traer[aá]?|lleva|llev[oó]|guarda|escond(?:e|i[oó])|"
    r"ense[nñ][oó]|mochila|casillero|bolsa|bolsillo|carro|coche|escuela|colegio|clase|"
    r"sal[oó]n|ba[nñ]o|autob[uú]s)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TextReading:
    """What a tipster's text calls for. `priority` None: nothing; `phrase`: the words that
    show it (for authorised staff on the case page, never in a notice)."""

    priority: Priority | None = None
    category: str | None = None
    phrase: str = ""

    @property
    def reason(self) -> str:
        if self.priority is None:
            return ""
        label = "life safety" if self.priority == Priority.LIFE_SAFETY else "urgent"
        return f"Raised to {label}: '{self.phrase}'"


NOTHING = TextReading()


def _rank(score: float) -> int:
    return _RANK[severity_for(score)]


def _weapon_at_hand(scores: dict[str, float], phrases: dict[str, str], text: str) -> bool:
    return (
        "weapons" in phrases
        and _rank(scores.get("weapons", 0.0)) >= _RANK["low"]
        and WEAPON_AT_HAND.search(text) is not None
    )


def _reading(
    priority: Priority, scorer_category: str, phrases: dict[str, str], text: str
) -> TextReading:
    phrase = phrases.get(scorer_category) or text
    return TextReading(
        priority=priority,
        category=CATEGORY_OF[scorer_category],
        phrase=" ".join(phrase.split())[:PHRASE_MAX_LENGTH],
    )


def tip_text_read(text: str) -> TextReading:
    """Score `text` and say what priority and category it calls for (see the module)."""
    if not text or not text.strip():
        return NOTHING
    result = score_text(text)
    phrases: dict[str, str] = {}
    for match in result.matches:
        # The most telling words of a category: the longest phrase that raised it
        # ("kill myself" rather than "want to" or "tonight").
        if len(match.phrase) > len(phrases.get(match.category, "")):
            phrases[match.category] = match.phrase
    scores = result.categories
    if _weapon_at_hand(scores, phrases, text):
        return _reading(Priority.LIFE_SAFETY, "weapons", phrases, text)
    if result.severity in ("none", "low"):
        return NOTHING
    life_safety = [
        name
        for name in LIFE_SAFETY_SCORES
        if _rank(scores.get(name, 0.0)) >= _RANK["high"]
        or (name == "weapons" and _rank(scores.get(name, 0.0)) >= _RANK["medium"])
    ]
    if life_safety:
        strongest = max(life_safety, key=lambda name: scores[name])
        return _reading(Priority.LIFE_SAFETY, strongest, phrases, text)
    medium = [name for name in CATEGORY_OF if _rank(scores.get(name, 0.0)) >= _RANK["medium"]]
    if medium:
        strongest = max(medium, key=lambda name: scores[name])
        return _reading(Priority.URGENT, strongest, phrases, text)
    return NOTHING


# Words that file a tip under a category when the scorer, which reads language of harm only,
# has nothing to say (English and Spanish). A guess for the queue, shown as such; it decides
# nothing. In order: the first category whose words appear wins.
GUESS_WORDS = (
    (Category.WEAPON, r"guns?|knife|knives|pistols?|rifle|pistolas?|cuchillos?|navajas?|armas?"),
    (
        Category.SELF_HARM,
        r"suicid\w*|hurt(?:ing)? (?:him|her|my|them)sel(?:f|ves)|cutting|"
        r"kill (?:him|her|my|them)sel(?:f|ves)|lastimarse|cortarse",
    ),
    (Category.THREAT, r"threat\w*|amenaz\w*|shoot(?:ing)? up|bombs?|disparar|bomba"),
    (Category.FIGHT, r"fight\w*|fought|pelea\w*|golpes"),
    (
        Category.SUBSTANCES,
        r"vap\w*|drugs?|weed|alcohol|drunk|pills|drogas?|marihuana|borracho\w*",
    ),
    (Category.HARASSMENT, r"harass\w*|acoso sexual"),
    (
        Category.BULLYING,
        r"bull(?:y|ied|ying|ies)|picking on|calling (?:me|him|her|them) names|acos\w*|"
        r"molest(?:an|ando)|burlan",
    ),
    (Category.ABUSE, r"abuse\w*|abused|neglect\w*|maltrat\w*|abus(?:o|an)"),
    (Category.MENTAL_HEALTH, r"depress\w*|anxi\w*|panic|deprimid\w*|ansiedad"),
)
_GUESS = [
    (category, re.compile(rf"\b(?:{words})\b", re.IGNORECASE)) for category, words in GUESS_WORDS
]


def category_guess(text: str) -> str | None:
    """The category a text suggests, for a case still filed under "Other" (every SMS tip is,
    unless the scorer read harm in it: the intake then files it under that category): the
    first category of GUESS_WORDS whose words appear, or None. Cheap (regular expressions,
    no scoring), so the queue can guess for every row it shows. Shown to staff as inferred,
    never stored: it changes neither the case's category nor its priority."""
    if not text:
        return None
    for category, words in _GUESS:
        if words.search(text):
            return category
    return None
