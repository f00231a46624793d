"""Which school a district-wide number's menu answer names: its number, or its name typed
loosely (any case, no accents, a typo, the first letters, the initials).

A text is an answer only when every word in it (after filler like "the", "school",
"escuela", "number") belongs to one school's name: "Lincoln", "lincon high", "LHS", "linc",
"#1". A tip that mentions a school ("someone has a gun at Lincoln") is not an answer; nor is
a word that fits two schools equally ("Lincoln" with Lincoln High and Lincoln Middle), which
the menu then asks about again, saying how to answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import School

# Words are read, and typos counted, as the web's school finder does.
from ..school_finder import edit_distance, plain_words, typos_allowed

MAX_ANSWER_WORDS = 6
FILLER = frozenset(
    {"the", "a", "an", "at", "in", "to", "my", "our", "its", "it", "is", "school", "escuela"}
    | {"colegio", "number", "numero", "num", "no", "n", "el", "la", "los", "las", "de", "del"}
    | {"en", "mi", "es", "please", "porfa", "favor", "por"}
)
# Words left out of initials: "Academy of Arts" is AA, "Escuela de la Paz" EP.
INITIALS_SKIP = frozenset({"of", "the", "and", "de", "del", "la", "las", "los", "el", "y"})
EXACT, PREFIX, TYPO = 3, 2, 1


def _word_score(word: str, name_word: str) -> int:
    if word == name_word:
        return EXACT
    if len(word) >= 3 and name_word.startswith(word):
        return PREFIX
    allowed = typos_allowed(name_word)
    return TYPO if allowed and edit_distance(word, name_word, allowed) <= allowed else 0


def _initials(name_words: list[str]) -> set[str]:
    letters = "".join(word[0] for word in name_words if word not in INITIALS_SKIP)
    without_school = letters.removesuffix("s") if name_words[-1:] == ["school"] else letters
    return {letters, without_school, without_school + "s"} - {""}


def _school_score(words: list[str], school: School) -> int:
    """How well the answer's words spell this school's name; 0 when any word does not fit."""
    name_words = plain_words(school.name)
    if len(words) == 1 and len(words[0]) >= 2 and words[0] in _initials(name_words):
        return EXACT
    candidates = [word for word in name_words if word not in FILLER] or name_words
    total, used = 0, set()
    for word in words:
        best, best_index = 0, None
        for index, name_word in enumerate(candidates):
            if index not in used and (score := _word_score(word, name_word)) > best:
                best, best_index = score, index
        if not best:
            return 0
        used.add(best_index)
        total += best
    return total


def menu_answer(text: str, schools: Sequence[School]) -> School | None:
    """The school a menu answer names (1-based number or name), or None."""
    words = [word for word in plain_words(text) if word not in FILLER]
    if not words or len(words) > MAX_ANSWER_WORDS:
        return None
    if len(words) == 1 and words[0].isdigit():
        position = int(words[0])
        if 1 <= position <= len(schools):
            return schools[position - 1]
    scores = [(_school_score(words, school), school) for school in schools]
    scores = sorted((pair for pair in scores if pair[0]), key=lambda pair: -pair[0])
    if not scores or (len(scores) > 1 and scores[0][0] == scores[1][0]):
        return None
    return scores[0][1]
