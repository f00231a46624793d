"""The public school finder: forgiving of typos, accents, initials and short names.

"Lincon", "lincoln hs" and "LHS" find Lincoln High School; "Roosvelt" finds Roosevelt;
"jose marti" finds José Martí. What a query is compared with, for each active school: the
words of its name, of its slug and of the short names staff list on it (School.short_names),
and, letter for letter, the initials of its name and of each run of its words ("lhs", "lh",
"hs"; a name without "School" at the end is read as if it had it).

Every word of the query (less filler such as "the", "school", "escuela") must fit one of the
school's: the same word, the start of one ("linc"), or a word or its start with a typo or two
(one from 4 letters, two from 7; a swap of neighbouring letters is one typo; the first letter
must be right, or be the second one typed, as in "ilncoln"). A query that is exactly a
school's initials or one of its short names ranks that school first; then better fits rank
higher, then the name.

Runs in this process only: no search service, nothing sent anywhere. The active schools are
indexed per process for TIPLINE_SCHOOL_CACHE_SECONDS (an edit shows that much later), so a
typed word is compared once with each distinct word, however many schools share it, and with
typos only against words that start with one of its first two letters.
"""

from __future__ import annotations

import bisect
import re
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings

from accounts.models import School

FILLER = frozenset({"the", "a", "of", "school", "escuela", "colegio", "de", "del", "la", "el"})
INITIALS_SKIP = frozenset({"of", "the", "and", "de", "del", "la", "las", "los", "el", "y"})
EXACT, START, TYPO, TYPO_START = 6, 4, 3, 2
WHOLE = 100  # the query is exactly the school's initials or one of its short names
MAX_QUERY_WORDS = 8
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class FoundSchool:
    name: str
    slug: str


@dataclass(frozen=True)
class _Entry:
    school: FoundSchool
    words: frozenset[str]  # compared with typos
    codes: frozenset[str]  # initials of runs of words: compared letter for letter
    whole_forms: frozenset[str]  # initials of the name, short names: the whole query


@dataclass(frozen=True)
class _Index:
    entries: list[_Entry]  # in name order
    postings: dict[str, list[int]]  # word -> positions of the entries that have it
    code_postings: dict[str, list[int]]
    whole_postings: dict[str, list[int]]
    vocabulary: list[str]  # the words, sorted: words starting with a prefix are a slice
    by_first_letter: dict[str, list[str]]


def plain_words(text: str) -> list[str]:
    """Lower-case words without accents or punctuation: "José Martí H.S." -> jose marti h s."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain.replace("'", "").replace("’", ""))


def typos_allowed(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


def edit_distance(typed: str, word: str, limit: int, *, prefix: bool = False) -> int:
    """Levenshtein distance counting a swap of neighbours as one (optimal string alignment),
    from `typed` to `word`, or with `prefix` to the closest start of `word`. Anything above
    `limit` is returned as limit + 1, as soon as it is certain."""
    if not prefix and abs(len(typed) - len(word)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(word) + 1))
    for i, typed_char in enumerate(typed, start=1):
        current = [i] + [0] * len(word)
        for j, word_char in enumerate(word, start=1):
            cost = 0 if typed_char == word_char else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and typed_char == word[j - 2] and typed[i - 2] == word_char:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(min(previous) if prefix else previous[-1], limit + 1)


def _fits(typed: str, index: _Index) -> dict[str, int]:
    """Each word of the index that a typed word fits, with how well (EXACT ... TYPO_START)."""
    fits: dict[str, int] = {}
    start = bisect.bisect_left(index.vocabulary, typed)
    for word in index.vocabulary[start:]:
        if not word.startswith(typed):
            break
        fits[word] = EXACT if word == typed else START
    allowed = typos_allowed(typed)
    if allowed:
        for letter in dict.fromkeys(typed[:2]):
            for word in index.by_first_letter.get(letter, ()):
                if word in fits:
                    continue
                if edit_distance(typed, word, allowed) <= allowed:
                    fits[word] = TYPO
                elif edit_distance(typed, word, allowed, prefix=True) <= allowed:
                    fits[word] = TYPO_START
    return fits


def _initials(name_words: list[str]) -> tuple[set[str], set[str]]:
    """(initials of the whole name, initials of every run of two or more of its words), the
    name read as ending in "school": Lincoln High -> ({lhs, lh}, {lh, lhs, hs})."""
    letters = "".join(word[0] for word in name_words if word not in INITIALS_SKIP)
    if not name_words or name_words[-1] != "school":
        letters += "s"
    whole = {form for form in (letters, letters[:-1]) if len(form) >= 2}
    runs = {
        letters[start:end]
        for start in range(len(letters))
        for end in range(start + 2, len(letters) + 1)
    }
    return whole, runs


def _entry(school: School) -> _Entry:
    name_words = plain_words(school.name)
    short_names = [plain_words(line) for line in school.short_name_list]
    words = set(name_words) | set(plain_words(school.slug.replace("-", " ")))
    for short in short_names:
        words |= set(short)
    whole_initials, codes = _initials(name_words)
    whole = whole_initials | {"".join(short) for short in short_names if short}
    return _Entry(
        FoundSchool(school.name, school.slug), frozenset(words), frozenset(codes), frozenset(whole)
    )


def _index_build(entries: list[_Entry]) -> _Index:
    postings: dict[str, list[int]] = {}
    code_postings: dict[str, list[int]] = {}
    whole_postings: dict[str, list[int]] = {}
    for position, entry in enumerate(entries):
        for table, keys in (
            (postings, entry.words),
            (code_postings, entry.codes),
            (whole_postings, entry.whole_forms),
        ):
            for key in keys:
                table.setdefault(key, []).append(position)
    vocabulary = sorted(postings)
    by_first_letter: dict[str, list[str]] = {}
    for word in vocabulary:
        by_first_letter.setdefault(word[0], []).append(word)
    return _Index(entries, postings, code_postings, whole_postings, vocabulary, by_first_letter)


# (monotonic expiry, index) for this process; see TIPLINE_SCHOOL_CACHE_SECONDS.
_kept: tuple[float, _Index | None] = (0.0, None)


def _index() -> _Index:
    global _kept
    ttl = settings.TIPLINE_SCHOOL_CACHE_SECONDS
    now = time.monotonic()
    if ttl > 0 and _kept[1] is not None and _kept[0] > now:
        return _kept[1]
    schools = School.objects.filter(is_active=True).only("name", "slug", "short_names")
    index = _index_build([_entry(school) for school in schools.order_by("name")])
    _kept = (now + ttl, index) if ttl > 0 else (0.0, None)
    return index


def schools_find(*, query: str, limit: int = 10) -> list[FoundSchool]:
    """The active schools a visitor's query names, best first (see the module docstring)."""
    typed = plain_words(query)[:MAX_QUERY_WORDS]
    words = [word for word in typed if word not in FILLER] or typed
    if not words:
        return []
    index = _index()
    scores: dict[int, int] = {}  # position -> score: schools every word so far fits
    for number, word in enumerate(words):
        best: dict[int, int] = dict.fromkeys(index.code_postings.get(word, ()), EXACT)
        for name_word, fit in _fits(word, index).items():
            for position in index.postings[name_word]:
                best[position] = max(best.get(position, 0), fit)
        if number == 0:
            scores = best
        else:
            scores = {
                position: scores[position] + best[position]
                for position in scores.keys() & best.keys()
            }
    for position in index.whole_postings.get("".join(typed), ()):
        scores[position] = scores.get(position, 0) + WHOLE
    # Positions follow the names' order, so equal scores list alphabetically.
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [index.entries[position].school for position, _score in ranked[:limit]]
