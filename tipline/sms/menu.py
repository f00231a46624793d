"""Which school a district-wide number's menu answer names: its number, or its name typed
loosely (any case, no accents, a typo, the first letters, the initials).

A text is an answer only when every word in it (after filler like "the", "school",
"escuela", "number") belongs to one school's name: "Lincoln", "lincon high", "LHS", "linc",
"#1". A tip that mentions a school ("someone has a gun at Lincoln") is not an answer; nor is
a word that fits two schools equally ("Lincoln" with Lincoln High and Lincoln Middle), which
the menu then asks about again, saying how to answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from accounts.models import School

MAX_ANSWER_WORDS = 6
FILLER = frozenset(
    {"the", "a", "an", "at", "in", "to", "my", "our", "its", "it", "is", "school", "escuela"}
    | {"colegio", "number", "numero", "num", "no", "n", "el", "la", "los", "las", "de", "del"}
    | {"en", "mi", "es", "please", "porfa", "favor", "por"}
)
# Words left out of initials: "Academy of Arts" is AA, "Escuela de la Paz" EP.
INITIALS_SKIP = frozenset({"of", "the", "and", "de", "del", "la", "las", "los", "el", "y"})
EXACT, PREFIX, TYPO = 3, 2, 1
_TOKEN = re.compile(r"[a-z0-9ñ]+")


def _tokens(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _TOKEN.findall(plain.replace("'", ""))


def _typos_allowed(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


def edit_distance(left: str, right: str) -> int:
    """Levenshtein distance with adjacent transpositions (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(right) + 1))
    for i, left_char in enumerate(left, start=1):
        current = [i] + [0] * len(right)
        for j, right_char in enumerate(right, start=1):
            cost = 0 if left_char == right_char else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left_char == right[j - 2] and left[i - 2] == right_char:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _word_score(word: str, name_word: str) -> int:
    if word == name_word:
        return EXACT
    if len(word) >= 3 and name_word.startswith(word):
        return PREFIX
    allowed = _typos_allowed(name_word)
    close = allowed and abs(len(word) - len(name_word)) <= allowed
    return TYPO if close and edit_distance(word, name_word) <= allowed else 0


def _initials(name_words: list[str]) -> set[str]:
    letters = "".join(word[0] for word in name_words if word not in INITIALS_SKIP)
    without_school = letters.removesuffix("s") if name_words[-1:] == ["school"] else letters
    return {letters, without_school, without_school + "s"} - {""}


def _school_score(words: list[str], school: School) -> int:
    """How well the answer's words spell this school's name; 0 when any word does not fit."""
    name_words = _tokens(school.name)
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
    words = [word for word in _tokens(text) if word not in FILLER]
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
