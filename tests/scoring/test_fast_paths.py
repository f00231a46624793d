"""The scorer's fast paths give exactly what the plain versions they replaced gave.

Each plain version is kept here as the reference (it was the shipped code before the
speed work of issue 15's third round): the normalizer's slow path, the test for whether
it is needed, the words glued to an apostrophe, the leetspeak test. They are compared on
committed texts and on random strings made of the characters that matter.
"""

import random
import re

import pytest

from scoring import default_scorer
from scoring.normalize import _LEET, _LEET_CANDIDATE, _LEET_INNER, _QUOTES, _needs_slow
from scoring.normalize import _ordinal_or_unit as ordinal_or_unit
from scoring.scorer import _LEET as SCORER_LEET
from scoring.scorer import _glued_words
from scoring.train.sources import load_all
from tests.scoring.texts import ROOT, case_texts

_NEEDS_SLOW = re.compile(
    r"[a-z][0-9@$]|[0-9$][a-z]|[a-z][!|][a-z]|([a-z])\1\1"
    r"|(?<![a-z])[a-z][ .\-_*][a-z][ .\-_*][a-z](?![a-z])"
)
_RUN = re.compile(r"([a-z])\1{2,}")
_SPACED = re.compile(
    r"(?<![a-z0-9'])(?:[a-z](?: [a-z]){3,}|[a-z](?:[.\-_*][a-z]){2,})(?![a-z0-9'])"
)
_SPACED3 = re.compile(r"(?<![a-z0-9'])[a-z] [a-z] [a-z](?![a-z0-9'])")
_GLUED = re.compile(r"([^\W\d_]{2,})['\u2019]\w")
_PLAIN_LEET = re.compile(r"[a-z][0-9@$!|]+[a-z]")


def reference(normalizer, text: str) -> tuple[str, list[int], list[int]]:
    """The normalizer as it was: norm, and every character's original span."""
    low = text.lower()
    if len(low) == len(text) and text.isascii() and not _NEEDS_SLOW.search(low):
        return low, list(range(len(low))), list(range(1, len(low) + 1))
    if len(low) == len(text):
        chars, starts, ends = list(low), list(range(len(text))), list(range(1, len(text) + 1))
    else:
        chars, starts, ends = [], [], []
        for i, ch in enumerate(text):
            for c in ch.lower():
                chars.append(c)
                starts.append(i)
                ends.append(i + 1)
    if not text.isascii():
        chars = [_QUOTES.get(c, c) for c in chars]
        emoji = normalizer.emoji_pattern
        chars, starts, ends = normalizer._replace(chars, starts, ends, emoji, normalizer._emoji)
    joined = "".join(chars)
    for m in _LEET_CANDIDATE.finditer(joined):
        i = m.start()
        ch = chars[i]
        prev_alpha = i > 0 and chars[i - 1].isalpha()
        next_alpha = i + 1 < len(chars) and chars[i + 1].isalpha()
        if ch in _LEET and (prev_alpha or next_alpha):
            if ch == "@" and not prev_alpha:
                continue
            if ch.isdigit() and ordinal_or_unit(chars, i):
                continue
            chars[i] = _LEET[ch]
        elif ch in _LEET_INNER and prev_alpha and next_alpha:
            chars[i] = _LEET_INNER[ch]
    joined = "".join(chars)
    drop: set[int] = set()
    for m in _SPACED.finditer(joined):
        drop.update(range(m.start() + 1, m.end(), 2))
    for m in _SPACED3.finditer(joined):
        if m.group()[::2] in normalizer._short:
            drop.update((m.start() + 1, m.start() + 3))
    for m in _RUN.finditer(joined):
        ends[m.start()] = ends[m.end() - 1]
        drop.update(range(m.start() + 1, m.end()))
    keep = [i for i in range(len(chars)) if i not in drop]
    return "".join(chars[i] for i in keep), [starts[i] for i in keep], [ends[i] for i in keep]


def random_texts(seed: int, alphabet: str, n: int = 20_000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 24))) for _ in range(n)]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rows = load_all(ROOT / "data" / "scorer")
    found = [r.text for r in random.Random(5).sample(rows, 4000)]
    found += case_texts()
    return found


def test_it_normalizes_as_the_plain_normalizer_did(texts):
    normalizer = default_scorer().normalizer
    tricky = "aks k1l@$!|0 .-_*'’“”İ🔫️💀éx"
    differ = []
    for text in texts + random_texts(1, tricky):
        normalized = normalizer(text)
        norm, starts, ends = reference(normalizer, text)
        spans = [normalized.span(i, i + 1) for i in range(len(norm))]
        if normalized.norm != norm or spans != list(zip(starts, ends, strict=True)):
            differ.append(text)
    assert differ == []


def test_it_knows_when_the_slow_path_is_needed(texts):
    lowered = [t.lower() for t in texts] + random_texts(2, "abk 1@$!|.-_*'x")
    assert [t for t in lowered if _needs_slow(t) != bool(_NEEDS_SLOW.search(t))] == []


def test_it_finds_the_words_glued_to_an_apostrophe(texts):
    odd = ["ab'cde'f", "rock'n'roll", "café’s", "__'a", "٣٣'a", "²²'s", "a'b'c'd", "'ab'c"]
    sample = texts + odd + random_texts(3, "ab_é²٣ '’", 40_000)
    assert [t for t in sample if _glued_words(t) != _GLUED.findall(t)] == []


def test_it_finds_leetspeak_as_the_plain_regex_did(texts):
    sample = [t.lower() for t in texts] + random_texts(4, "abk01@$!|. ")
    differ = [t for t in sample if bool(SCORER_LEET.search(t)) != bool(_PLAIN_LEET.search(t))]
    assert differ == []
