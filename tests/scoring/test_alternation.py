"""The lexicons' factored patterns match exactly what the alternations as written match.

``scoring.alternation`` rewrites each lexicon's alternation as a trie of first characters
for speed; Python's regex engine takes the first alternative that leads to a match, so a
rewrite that reorders wrongly changes spans ("kill" before "kill myself"). Every check
here compares against ``re.compile`` of the source as written.
"""

import random
import re

import pytest

from scoring import default_scorer
from scoring.alternation import compile_factored
from scoring.train.sources import load_all
from tests.scoring.texts import ROOT, case_texts


def spans(pattern: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None):
    end = len(text) if endpos is None else endpos
    return [m.span() for m in pattern.finditer(text, pos, end)]


@pytest.fixture(scope="module")
def norms() -> list[str]:
    scorer = default_scorer()
    rows = load_all(ROOT / "data" / "scorer")
    texts = [r.text for r in random.Random(4).sample(rows, 1500)]
    texts += case_texts()
    return [scorer.normalizer(t).norm for t in texts]


def test_it_finds_the_same_hits_in_every_lexicon(norms):
    lexicons = default_scorer().lexicons.by_name
    rng = random.Random(9)
    differ = []
    for name, lexicon in lexicons.items():
        plain = re.compile(lexicon.source)
        assert lexicon.pattern.pattern is None, f"{name} was not factored"
        for norm in norms:
            if spans(plain, norm) != spans(lexicon.pattern, norm):
                differ.append((name, norm))
            # the rules scan windows: a clause, the words before a hit
            lo = rng.randrange(len(norm) + 1)
            hi = rng.randrange(lo, len(norm) + 1)
            if spans(plain, norm, lo, hi) != spans(lexicon.pattern, norm, lo, hi):
                differ.append((name, norm, lo, hi))
    assert differ == []


def test_it_finds_the_same_phrases_for_the_gate(norms):
    # the scorer's gate searches each possible core phrase with its own pattern
    phrases = {p.source for found in default_scorer()._phrases.values() for _, p in found}
    differ = []
    for source in sorted(phrases):
        plain, factored = re.compile(source), compile_factored(source)
        differ += [(source, n) for n in norms[::5] if spans(plain, n) != spans(factored, n)]
    assert differ == []


def test_it_keeps_the_order_of_alternatives():
    # "kill" first: the plain pattern stops at "kill"; the factored one must too
    assert spans(compile_factored("kill|kill myself"), "kill myself") == [(0, 4)]
    assert spans(compile_factored("kill myself|kill"), "kill myself") == [(0, 11)]
    # "ab" may not jump ahead of a class that also starts with "a"
    assert spans(compile_factored("ax|[a-z]bc|ab"), "abc") == [(0, 3)]
    # a greedy optional group tries its content first, a lazy one last
    assert spans(compile_factored("(?:go )?go|gone"), "go gone") == [(0, 5)]
    assert spans(compile_factored("(?:go )??go|go gone"), "go gone") == [(0, 2), (3, 5)]


def test_it_compiles_what_it_does_not_know_as_written():
    for source in (r"(ki)ll|kn", r"(?i)kill|knife", r"(a)\1|ab"):
        assert compile_factored(source).pattern == source


_PIECES = ("a", "b", "c", "ab", "ba", "abc", "[ab]", "[^a]", " ", "'?", r"\W+")
_WORDS = ("a ", "b ", "ab ", "ca ")


def _random_source(rng: random.Random, depth: int = 0) -> str:
    """A random phrase-like alternation. Only groups of plain words repeat (as in the
    lexicons: "(really |just )*"): nested repeats of what may match nothing backtrack
    for ever, in the plain pattern too."""
    parts = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.5 or depth > 1:
            parts.append(rng.choice(_PIECES))
        elif roll < 0.65:
            words = "|".join(rng.sample(_WORDS, 2))
            parts.append(f"(?:{words})" + rng.choice(("*", "+", "{1,2}", "*?")))
        else:
            group = "|".join(_random_source(rng, depth + 1) for _ in range(rng.randint(2, 4)))
            parts.append(f"(?:{group})" + rng.choice(("", "?", "??")))
    return "".join(parts)


def test_it_matches_what_the_plain_pattern_matches_on_random_alternations():
    rng = random.Random(15)
    for _ in range(400):
        source = (
            r"(?<!\w)(?:"
            + "|".join(_random_source(rng) for _ in range(rng.randint(2, 12)))
            + r")(?:(?<=\W)|(?!\w))"
        )
        plain, factored = re.compile(source), compile_factored(source)
        for _ in range(20):
            text = "".join(rng.choice("abc  -") for _ in range(rng.randint(0, 30)))
            assert spans(plain, text) == spans(factored, text), (source, text)
