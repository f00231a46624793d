"""The scorer: texts in, calibrated and explained harm scores out.

Contract (see docs/scorer.md and the ``score_posts`` command):

* ``Scorer(threshold=DEFAULT_THRESHOLD, lexicon_dir=None, model_path=None)`` loads the
  learned model and compiles the lexicons once; a scorer is immutable and safe to share
  between threads. ``model_version`` names the learned model it uses.
* ``Scorer.score(text, *, school_terms=())`` -> :class:`ScoreResult`. Deterministic: the
  same text, terms, threshold, model and lexicons always give the same result.
* ``ScoreResult.to_dict(id=...)`` is exactly the JSON line of ``score_posts``:
  ``{"id", "score", "severity", "categories", "alert", "matches"}``; ``matches`` hold
  ``{"category", "phrase", "start", "end"}`` with offsets into the ORIGINAL text.

How a score is made, in two tiers:

1. Every text: the learned tier (learned.py) gives violence, self-harm and bullying a raw
   logit from its word n-grams.
2. Candidates only: the rule tier (ruletier.py) reads lexicon phrases in context. A text
   is a candidate when it holds an anchor (a word one of which every core phrase needs,
   anchors.py: without one the rules could find nothing) and is short, or a learned head
   reaches ``CANDIDATE_PROBABILITY``, or it holds a gate word (weapons, Spanish harm
   words: ``lexicons/gate.txt``); and any text with emoji the lexicons read or
   obfuscated spelling (``k1ll``, ``k y s``). The rules' strength in a category (context
   included: negation, idiom, counter-speech, a school, a time) is added to the learned
   logit with the weight the training picked; the n-grams of a phrase the rules set
   aside stop counting; a confident rules' verdict is a floor; weapons come from the
   rules alone and stay "low" unless the text is read as violent; one word alone keeps
   violence and self-harm at "low".

Each head's logit is then calibrated (``slope * (logit - threshold)``, both fitted on
out-of-source validation predictions) so that 0.5 is the head's alert point, chosen at a
stated false-positive rate (docs/scorer.md). A text's ``score`` is its highest category
score; ``severity`` is a fixed band of ``score``; ``alert`` is ``score >= threshold``.
A strong harm word standing alone ("murder", "suicide") is at least "low": a counselor
searching the feed should find it, and it still never alerts on its own.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .alternation import compile_factored
from .anchors import (
    ANCHOR_FUNCTION_WORDS,
    entry_anchors,
    entry_requirements,
    entry_words,
)
from .encodable import encodable
from .features import grams, token_spans, tokens, translated
from .learned import LearnedModel, _speedups, load_model
from .lexicon import WORD_START, Lexicons, load_lexicons
from .normalize import Normalized, Normalizer
from .relevance import Relevance
from .rules import BIAS, CORE_CATEGORIES
from .ruletier import RuleOutcome, RuleTier

__all__ = [
    "CATEGORIES",
    "DEFAULT_THRESHOLD",
    "SEVERITIES",
    "SEVERITY_BANDS",
    "Match",
    "ScoreResult",
    "Scorer",
    "default_scorer",
    "score_text",
    "severity_for",
]

CATEGORIES: tuple[str, ...] = ("violence", "self_harm", "bullying", "weapons")
SEVERITIES: tuple[str, ...] = ("none", "low", "medium", "high", "critical")
# Lower bound of each severity band on the 0-1 score.
SEVERITY_BANDS: tuple[tuple[str, float], ...] = (
    ("critical", 0.88),
    ("high", 0.7),
    ("medium", 0.5),
    ("low", 0.2),
    ("none", 0.0),
)
# Alert from "medium" up: each head is calibrated so that 0.5 is its alert point.
DEFAULT_THRESHOLD = 0.5
# The rule tier reads a text that holds a word a core phrase needs (an anchor) when a
# learned head reaches this probability, the text is short, or a gate word is there;
# and any text with emoji the lexicons read or obfuscated spelling.
CANDIDATE_PROBABILITY = 0.2
_SHORT = 160
# A rules' logit from which their own verdict stands, whatever the learned tier says:
# their alert point (0.0) in a short post, the lexicons' home ground (0.5-0.7% of
# ordinary tweets reach it); 1.0 (0.73, "high") in a longer one, where phrases meet by
# chance more often (1.6% of ordinary Reddit posts reach it, 4.2% reach 0.0).
_RULES_CONFIDENT = 1.0
_RULES_SHORT_POST = 280
# The words around a phrase the rules set aside that go with it ("I'm not going to").
_WORDS_BEFORE = re.compile(r"(?:[\w']+\W+){1,4}$")
_WORDS_AFTER = re.compile(r"(?:\W+[\w']+){1,3}")
_AROUND = 60
# A text of one word: violence and self-harm stay at most "low" (see score()).
_BARE_CAPPED = ("violence", "self_harm")
_BARE_CAP = 0.45
# The rarity of a word the model never saw (idf**2 of the rarest words is ~100).
_UNSEEN = 1000.0
_LOW = dict(SEVERITY_BANDS)["low"]
# Explanations: at most this many n-grams per raised category, each adding at least
# this much to its head's logit.
_NGRAMS_SHOWN = 4
_MIN_CONTRIBUTION = 0.15
# Leetspeak inside a word, three or more letters spelled out, or a letter stretched
# ("killllll"); looked for in short texts only (long posts are not written that way).
# Three searches, cheapest and likeliest first, instead of one alternation that the regex
# engine tries branch by branch at every character; the spelled-out test runs only where a
# single letter stands between two separators.
_STRETCHED_LETTER = re.compile(r"([a-z])\1\1")
# A letter, leet characters, a letter ("k1ll", "sh00t"); searched from a leet character
# after a letter, so the engine skips to the few digits and symbols of a text.
_LEET = re.compile(r"[0-9@$!|](?<=[a-z].)[0-9@$!|]*[a-z]")
_LONE_LETTER = re.compile(r"[ .\-_*][a-z][ .\-_*]")
_SPELLED = re.compile(r"(?<![a-z])[a-z][ .\-_*][a-z][ .\-_*][a-z](?![a-z])")
_OBFUSCATION_SPAN = 500
_STRETCHED = re.compile(r"(\w)\1{2,}")


# Where a word glued to an apostrophe and more letters ends ("kill'em", "KILL’EM",
# "gun's"): an apostrophe after two letters, before a word character (see _glued_words).
_APOSTROPHE = re.compile(r"['\u2019](?<=[^\W\d_]{2}.)(?=\w)")
_NONE: frozenset[bytes] = frozenset()
# Runs of letters and digits (the gate of a disguised text, Scorer._disguised_plan).
_LETTERS = re.compile(r"[^\W_]+")
# The marks of the compiled lookups (LearnedModel.compiled): an anchor of a core lexicon
# (or a gate word), a gate word, a word the gate's phrase index reads (Scorer._scan_plan).
_ANCHOR = 1
_GATE = 2
_GATE_WORD = 4


class _Learned(NamedTuple):
    """What the learned tier gives the rest of ``Scorer.score``."""

    raw: tuple[float, ...]  # the heads' raw logits
    # The text's n-grams; None when the compiled lookups ran: then ``marked`` stands for
    # them before the rules (the marked n-grams present: every one the gate reads) and
    # ``known()`` after (the model's n-grams present: all that explanations and
    # LearnedModel.without read of them).
    features: set[bytes] | None
    single: bool  # at most one n-gram
    marks: int | None = None  # compiled: the OR of the marks present
    marked: set[bytes] | None = None
    translation: bytes = b""  # compiled: features.translated(text)

    def known(self, table: Any) -> set[bytes]:
        return table.known(self.translation)


class _Phrase(NamedTuple):
    """A raising core phrase, as the scorer's gate looks for it (see Scorer._possible)."""

    needs: tuple[frozenset[bytes], ...]
    source: str  # compiled on first use (Scorer._pattern): process start stays cheap


def _glued_words(text: str) -> list[str]:
    r"""The words glued to an apostrophe and more letters: what
    ``re.findall(r"([^\W\d_]{2,})['\u2019]\w", text)`` gives, without that regex's
    walk through every letter of every word (it tried each as a start). Each apostrophe
    where such a word may end is found by its first character, and the word's letters
    (``[^\W\d_]``: alphanumeric, not a decimal digit) are walked back, no further than
    where the previous match ended (one word character after its apostrophe)."""
    found: list[str] = []
    after = 0
    for m in _APOSTROPHE.finditer(text):
        end = m.start()
        start = end - 2
        if start < after:
            continue
        while start > after and text[start - 1].isalnum() and not text[start - 1].isdecimal():
            start -= 1
        found.append(text[start:end])
        after = end + 2
    return found


def _obfuscated(text: str) -> bool:
    if len(text) > _OBFUSCATION_SPAN:
        return False
    low = text.lower()
    return (
        _STRETCHED_LETTER.search(low) is not None
        or _LEET.search(low) is not None
        or (_LONE_LETTER.search(low) is not None and _SPELLED.search(low) is not None)
    )


# Words that explain nothing to a counselor on their own (the model may still weigh them):
# the anchors' function words, less the verbs of intent they keep ("going", "gonna"), plus a
# few more that no phrase needs.
_FUNCTION_WORDS = (ANCHOR_FUNCTION_WORDS - {"get", "go", "going", "gonna", "got"}) | {
    "about",
    "being",
    "can't",
    "don't",
    "here",
    "i've",
    "mine",
    "there",
}


@dataclass(frozen=True, slots=True)
class Match:
    """A phrase that raised a category; ``start``/``end`` index the original text."""

    category: str
    phrase: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {
            "category": self.category,
            "phrase": self.phrase,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The outcome for one text. ``reasons`` explain the score; they are not in the JSON."""

    score: float
    severity: str
    categories: dict[str, float]
    alert: bool
    matches: tuple[Match, ...]
    reasons: tuple[str, ...] = ()
    relevance: Relevance | None = None

    def to_dict(self, id: object = None) -> dict[str, object]:
        """The JSON contract of ``score_posts`` (scores rounded to 4 decimals)."""
        return {
            "id": id,
            "score": round(self.score, 4),
            "severity": self.severity,
            "categories": {c: round(self.categories[c], 4) for c in CATEGORIES},
            "alert": self.alert,
            "matches": [m.to_dict() for m in self.matches],
        }


def severity_for(score: float) -> str:
    """The severity band of a 0-1 score."""
    for name, lower in SEVERITY_BANDS:
        if score >= lower:
            return name
    return "none"


def _sigmoid(x: float) -> float:
    if not -60.0 <= x <= 60.0:  # outside (or NaN): clamped; inside, the same value
        x = max(-60.0, min(60.0, x))
    return 1.0 / (1.0 + math.exp(-x))


# A category without a single hit scores exactly 0, not its bias.
_ZERO = dict.fromkeys(CATEGORIES, 0.0)


class Scorer:
    """Scores texts for violence, weapons, self-harm and bullying language."""

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        lexicon_dir: Path | str | None = None,
        model_path: Path | str | None = None,
        compiled: bool = True,
    ) -> None:
        """``compiled=False`` keeps the pure-Python learned tier (the reference) even where
        ``scoring._speedups`` is built; the scores are the same either way."""
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within 0..1, got {threshold}")
        self.threshold = threshold
        self.lexicons: Lexicons = load_lexicons(lexicon_dir)
        self.normalizer = Normalizer(self.lexicons.emoji, self.lexicons.short_words())
        self.rules = RuleTier(self.lexicons, self.normalizer)
        self.model: LearnedModel = load_model(model_path)
        self._heads = tuple(self.model.heads)
        self._gate = frozenset(e.phrase.encode("utf-8") for e in self.lexicons["gate"].entries)
        self._candidate = math.log(CANDIDATE_PROBABILITY / (1.0 - CANDIDATE_PROBABILITY))
        unigrams = sorted(g for g in self.model.vocabulary if b" " not in g)

        def rarity(gram: bytes) -> float:
            return self.model.idf2.get(gram, _UNSEEN)

        def stems(prefixes: set[bytes]) -> set[bytes]:
            """The model's words that start with one of ``prefixes`` (a sorted range)."""
            found: set[bytes] = set()
            for prefix in prefixes:
                i = bisect.bisect_left(unigrams, prefix)
                while i < len(unigrams) and unigrams[i].startswith(prefix):
                    found.add(unigrams[i])
                    i += 1
            return found

        # Per core lexicon: its anchors (anchors.py; the gate's first test), and anchor
        # -> the raising phrases it anchors, each as the parts a text must hold as
        # tokens (anchors.entry_requirements) and a search pattern (the phrase without
        # its word-start guard: a superset of its matches that the regex engine finds by
        # its first letters). Shield lines raise nothing and anchor no phrase.
        self._anchors_by: dict[str, frozenset[bytes]] = {}
        self._phrases_by: dict[str, dict[bytes, tuple[_Phrase, ...]]] = {}
        for cat in CORE_CATEGORIES:
            anchors: set[bytes] = set()
            index: dict[bytes, dict[str, _Phrase]] = {}
            lexicon = self.lexicons[cat]
            for entry, source in zip(lexicon.entries, lexicon.entry_sources, strict=True):
                found, starts = entry_anchors(entry.phrase, rarity)
                if starts:
                    found |= stems(starts)
                anchors |= found
                if entry.weight <= 0.0:
                    continue
                needs = entry_requirements(entry.phrase)
                if not any(part & found for part in needs):
                    # its anchor may sit glued to an optional group ("deserve todie"):
                    # looked up by every word it names too
                    found |= entry_words(entry.phrase)
                    anchors |= found
                body = source.removeprefix(WORD_START)
                phrase = _Phrase(needs, body)
                for anchor in found:
                    index.setdefault(anchor, {})[body] = phrase
            self._anchors_by[cat] = frozenset(anchors)
            self._phrases_by[cat] = {
                a: tuple(sorted(by.values(), key=lambda p: len(p.needs))) for a, by in index.items()
            }
        self._anchors = frozenset().union(*self._anchors_by.values()) | self._gate
        # Every category's phrases by anchor, fewest requirements first.
        phrases: dict[bytes, list[tuple[str, _Phrase]]] = {}
        for cat, by_anchor in self._phrases_by.items():
            for anchor, found in by_anchor.items():
                phrases.setdefault(anchor, []).extend((cat, p) for p in found)
        self._phrases = {
            a: tuple(sorted(v, key=lambda cp: len(cp[1].needs))) for a, v in phrases.items()
        }
        self._phrase_anchors = frozenset(self._phrases)
        self._patterns: dict[str, re.Pattern[str]] = {}
        # The same index as the gate walks it (_scan_plan): each phrase by a number (a
        # set of numbers is cheaper to test than one of phrases), with its requirements.
        numbers: dict[_Phrase, int] = {}
        for found in self._phrases.values():
            for _, phrase in found:
                numbers.setdefault(phrase, len(numbers))
        self._gate_sources = tuple(p.source for p in numbers)
        self._gate_compiled: list[re.Pattern[str] | None] = [None] * len(numbers)
        self._gate_index = {
            anchor: tuple((category, numbers[p], p.needs) for category, p in found)
            for anchor, found in self._phrases.items()
        }
        # The compiled lookups (None: not built, or not wanted): the logits, whether an
        # anchor or a gate word is there, the number of tokens and the marked n-grams
        # present, in one call, without the n-gram set. The gate's phrase index reads
        # only its anchors and the words of its phrases' requirements: the marked
        # n-grams of a text stand for all of its n-grams there.
        marks = dict.fromkeys(self._anchors, _ANCHOR)
        for word in self._gate:
            marks[word] |= _GATE
        gate_words = set(self._phrase_anchors)
        for found in self._phrases.values():
            for _, phrase in found:
                for part in phrase.needs:
                    gate_words |= part
        for word in gate_words:
            marks[word] = marks.get(word, 0) | _GATE_WORD
        self._table = self.model.compiled(marks) if compiled else None
        # _obfuscated's three regexes in one C pass for ASCII texts (None: the Python test)
        self._obfuscated_ascii = _speedups.obfuscated if self._table is not None else None

    @property
    def compiled(self) -> bool:
        """Whether this scorer's learned tier runs compiled (``scoring._speedups``)."""
        return self._table is not None

    @property
    def model_version(self) -> str:
        return self.model.version

    def is_candidate(self, text: str, features: set[bytes], calibrated: Sequence[float]) -> bool:
        """Whether the rule tier should read this text (see the module doc). ``features``
        are ``self.features(text)``: for obfuscated or emoji texts, the normalizer's."""
        disguised = self._disguised(text)
        return self._read_by_rules(text, features, calibrated, disguised) and bool(
            self._scanned(text, features, disguised)
        )

    def _read_by_rules(
        self,
        text: str,
        features: set[bytes] | None,
        calibrated: Sequence[float],
        disguised: bool,
        marks: int | None = None,
    ) -> bool:
        """``marks``: what the compiled lookups found (_ANCHOR, _GATE bits), when
        ``features`` were not made."""
        if marks is None:
            if self._anchors.isdisjoint(features or _NONE):
                return False  # no core phrase can match: the rules would find nothing
        elif not marks & _ANCHOR:
            return False
        if disguised or len(text) <= _SHORT or max(calibrated) >= self._candidate:
            return True
        if marks is None:
            return not self._gate.isdisjoint(features or _NONE)
        return bool(marks & _GATE)

    def _scanned(
        self,
        text: str,
        features: set[bytes],
        disguised: bool | None = None,
        normalized: Normalized | None = None,
    ) -> tuple[str, ...]:
        """The core lexicons worth scanning: those with a raising phrase found in the
        text (in its normalized form when spelling or emoji may hide what the tokens
        show: _disguised_plan). Empty: no core phrase can match, the rules need not run."""
        if disguised is None:
            disguised = self._disguised(text)
        return self._scan_plan(text, features, disguised, normalized)[0]

    def _scan_plan(
        self,
        text: str,
        features: set[bytes],
        disguised: bool,
        normalized: Normalized | None = None,
    ) -> tuple[tuple[str, ...], Normalized | None]:
        """``_scanned`` and the normalized text when it had to be made."""
        if disguised:
            return self._disguised_plan(text, features, normalized)
        # A word glued to an apostrophe ("kill'em", "gun's") is one token, but the
        # phrases read the word alone.
        glued: frozenset[bytes] = _NONE
        if "'" in text or "\u2019" in text:
            glued = frozenset(w.lower().encode("utf-8") for w in _glued_words(text))
        present = self._phrase_anchors.intersection(features)
        if glued:
            present |= self._phrase_anchors.intersection(glued)
        found: set[str] = set()
        tried: set[int] = set()
        # Plain ASCII is searched as lower-cased: the normalizer would only undo
        # leetspeak and stretched letters there, which the tokens (so the anchors)
        # do not hold either. Other texts need its quotes and case folding.
        norm = text.lower() if text.isascii() else None
        index = self._gate_index
        compiled = self._gate_compiled
        for anchor in present:
            for category, number, needs in index[anchor]:
                if category in found or number in tried:
                    continue
                tried.add(number)
                # a part of the phrase's requirements without a word in the text
                if glued:
                    if any(part.isdisjoint(features) and part.isdisjoint(glued) for part in needs):
                        continue
                elif any(map(features.isdisjoint, needs)):
                    continue
                if norm is None:
                    normalized = normalized or self.normalizer(text)
                    norm = normalized.norm
                pattern = compiled[number] or self._gate_pattern(number)
                if pattern.search(norm) is not None:
                    found.add(category)
        return tuple(c for c in CORE_CATEGORIES if c in found), normalized

    def _disguised_plan(
        self, text: str, features: set[bytes], normalized: Normalized | None
    ) -> tuple[tuple[str, ...], Normalized]:
        """``_scan_plan`` of a text with obfuscated spelling or emoji: the core lexicons
        with a raising phrase whose pattern (a superset of its matches) is found in the
        very string the rules scan, the normalized text. The phrases looked for are those
        of every anchor among the text's n-grams (made from the normalizer's spelling:
        the test that lets such a text be read at all, ``_read_by_rules``, here phrase by
        phrase), the tokens and the runs of letters and digits of the normalized text, and
        the words glued to an apostrophe in either; their requirements are not tested (the
        tokens are not the text's)."""
        normalized = normalized or self.normalizer(text)
        norm = normalized.norm
        words = set(features)
        words.update(tokens(norm))
        # the words tokens leave out: those of links and handles (platform noise), and
        # those joined by an underscore
        words.update(w.encode("utf-8") for w in _LETTERS.findall(norm))
        for source in (text, norm):
            if "'" in source or "\u2019" in source:
                words.update(w.lower().encode("utf-8") for w in _glued_words(source))
        found: set[str] = set()
        tried: set[int] = set()
        index = self._gate_index
        compiled = self._gate_compiled
        for anchor in self._phrase_anchors.intersection(words):
            for category, number, _ in index[anchor]:
                if category in found or number in tried:
                    continue
                tried.add(number)
                pattern = compiled[number] or self._gate_pattern(number)
                if pattern.search(norm) is not None:
                    found.add(category)
        return tuple(c for c in CORE_CATEGORIES if c in found), normalized

    def _gate_pattern(self, number: int) -> re.Pattern[str]:
        """The search pattern of the gate's phrase ``number``, compiled on first use."""
        source = self._gate_sources[number]
        pattern = self._patterns.get(source)
        if pattern is None:
            pattern = self._patterns[source] = compile_factored(source)
        self._gate_compiled[number] = pattern
        return pattern

    def features(self, text: str) -> set[bytes]:
        """The learned tier's n-grams. An obfuscated short text ("k1ll", "k i l l",
        "killllll") or one with emoji the lexicons read ("🔫") is read as the normalizer
        spells it, so the model knows the words."""
        return self._features(text, self._disguised(text))

    def _features(self, text: str, disguised: bool) -> set[bytes]:
        if disguised:
            return grams(self.normalizer(_STRETCHED.sub(r"\1\1", text)).norm)
        return grams(text)

    def _learned(self, text: str, disguised: bool) -> _Learned:
        """The learned tier, the path every text takes (see _Learned)."""
        if self._table is None or disguised:
            features = self._features(text, disguised)
            return _Learned(self.model.logits(features), features, len(features) <= 1)
        # The same logits, without the n-gram set; one token or none is exactly "at
        # most one n-gram" (two tokens make at least a word and a bigram).
        found = self._table.scan_text(text)  # ASCII without platform noise: all in C
        if found is None:
            translation = translated(text)
            raw, marks, count, marked = self._table.scan(translation)
        else:
            raw, marks, count, marked, translation = found
        return _Learned(raw, None, count <= 1, marks, marked, translation)

    def _disguised(self, text: str) -> bool:
        """Obfuscated spelling, or emoji the lexicons read as words: the tokens of the
        text as written are not the words the scorer should read."""
        if self._obfuscated_ascii is not None:
            found = self._obfuscated_ascii(text, _OBFUSCATION_SPAN)
            if found is not None:  # an ASCII text: no emoji either
                return found
        return _obfuscated(text) or (not text.isascii() and self.normalizer.has_emoji(text))

    def score(self, text: str, *, school_terms: Sequence[str] = ()) -> ScoreResult:
        """Score one text; ``school_terms`` are the school's own words (see relevance)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        if not text.isascii():
            # A lone surrogate (a JSON escape, an emoji's pair cut by a feed) cannot be
            # encoded: it reads as U+FFFD, one code point for one, so spans stay true.
            text = encodable(text)
        model = self.model
        disguised = self._disguised(text)
        learned = self._learned(text, disguised)
        raw, features = learned.raw, learned.features
        calibrated = model.calibrated(raw)
        rules = None
        known = None  # model.known(features), made once when explanations need it
        if self._read_by_rules(text, features, calibrated, disguised, learned.marks):
            scanned, normalized = self._scan_plan(
                text, learned.marked if features is None else features, disguised
            )
            if scanned:
                rules = self.rules.run(
                    text, school_terms=school_terms, categories=scanned, normalized=normalized
                )
        if rules is not None:
            dismissed = self._dismissed_grams(text, rules)
            if dismissed:
                features = features if features is not None else learned.known(self._table)
                known = model.known(features)
                raw = model.without(raw, features, dismissed, known)
            raw = tuple(
                z + w * rules.strength(h)
                for z, w, h in zip(raw, model.rule_weight, self._heads, strict=True)
            )
            calibrated = model.calibrated(raw)
        categories = dict(_ZERO)
        for head, logit in zip(self._heads, calibrated, strict=True):
            categories[head] = _sigmoid(logit)
        relevance = None
        reasons: list[str] = []
        if rules is not None:
            relevance = rules.relevance
            if "weapons" in rules.logits:
                categories["weapons"] = _sigmoid(rules.logits["weapons"])
            for cat in self._heads:
                # The rules confident on their own (intent, target, time, means, a
                # first-hand report, several warning signs) keep at least their verdict.
                confident = (rules.verdicts or rules.logits).get(cat, -math.inf)
                floor = _RULES_CONFIDENT if len(text) > _RULES_SHORT_POST else 0.0
                if confident >= floor and _sigmoid(confident) > categories[cat]:
                    categories[cat] = _sigmoid(confident)
                    reasons.append(f"{cat}: the rules alone say {categories[cat]:.2f}")
            for cat in rules.floored:
                if categories[cat] < _LOW:
                    categories[cat] = _LOW
                    reasons.append(f"{cat}: a strong word standing alone is low")
            reasons[:0] = rules.reasons
        elif school_terms:
            relevance = self.rules.relevance(text, school_terms)
        if categories["violence"] < DEFAULT_THRESHOLD and categories["weapons"] > _BARE_CAP:
            # A weapon in a text not read as violent (a purchase, a range day, a
            # collection) is "low": owning a gun is not a threat. With a threat, a school
            # or a time the violence reading is there and the weapon keeps its score.
            categories["weapons"] = _BARE_CAP
            reasons.append("weapons: the text is not read as violent, at most low")
        if learned.single:
            # One word has no context: the model cannot tell a threat from a title or a
            # game, so a bare "kill" or "suicide" stays "low" (harassment like "kys" is
            # bullying and keeps its score).
            for cat in _BARE_CAPPED:
                categories[cat] = min(categories[cat], _BARE_CAP)
        score = max(categories.values())
        matches: tuple[Match, ...] = ()
        if score >= _LOW:
            if learned.features is None:
                # Compiled: the contributions above the floor of the raised heads, ranked
                # in C from the same index (LearnedModel.contributions' list, the norm
                # summed in reading order), without the set of known n-grams.
                raised = [i for i, h in enumerate(self._heads) if categories[h] >= _LOW]
                ranked = self._table.above(learned.translation, raised, _MIN_CONTRIBUTION)
                above = dict(zip([self._heads[i] for i in raised], ranked, strict=True))
                matches = self._matches(text, None, categories, rules, reasons, above=above)
            else:
                matches = self._matches(text, features, categories, rules, reasons, known)
        return ScoreResult(
            score=score,
            severity=severity_for(score),
            categories=categories,
            alert=score >= self.threshold,
            matches=matches,
            reasons=tuple(reasons),
            relevance=relevance,
        )

    def _dismissed_grams(self, text: str, rules: RuleOutcome) -> set[bytes]:
        """The n-grams around phrases the rules read and set aside: lowered (negated,
        an idiom, quoted, reported, counter-speech, a game...) to below their alert
        point. In such a phrase, and the few words around it, the words are no evidence
        for the learned tier either ("I'm not going to kill myself", "in Fortnite I'm
        gonna shoot everyone")."""
        found: set[bytes] = set()
        for e in rules.evidence:
            if e.lowered and BIAS[e.category] + e.logit < 0.0:
                a, b = rules.normalized.span(e.start, e.end)
                lead = max(0, a - _AROUND)
                before = _WORDS_BEFORE.search(text[lead:a])
                after = _WORDS_AFTER.match(text, b, b + _AROUND)
                start = lead + before.start() if before else a
                found |= grams(text[start : after.end() if after else b])
        return found

    def _matches(
        self,
        text: str,
        features: set[bytes] | None,
        categories: dict[str, float],
        rules: RuleOutcome | None,
        reasons: list[str],
        known: tuple[set[bytes], float] | None = None,
        above: dict[str, list[tuple[bytes, float]]] | None = None,
    ) -> tuple[Match, ...]:
        """What pushed each raised category up: rule phrases first, then the n-grams
        with the largest positive weight, all as spans of the original text. ``above``:
        each raised head's contributions above the floor, when the compiled lookups
        ranked them (``features`` is then not needed)."""
        found: list[Match] = []
        low: str | None = None
        if rules is not None:
            for e in sorted(rules.evidence, key=lambda e: (e.start, e.category)):
                # A phrase counts only if, in its context, it pushes its category upward.
                if e.logit <= 0.0 or categories[e.category] < _LOW:
                    continue
                a, b = rules.normalized.span(e.start, e.end)
                found.append(Match(e.category, text[a:b], a, b))
        for head in self._heads:
            if categories[head] < _LOW:
                continue
            if above is not None:
                ranked = above[head]
            else:
                known = known or self.model.known(features)
                ranked = self.model.contributions(features, head, _MIN_CONTRIBUTION, known)
            shown = 0
            for gram, contribution in ranked:
                if contribution < _MIN_CONTRIBUTION or shown >= _NGRAMS_SHOWN:
                    break
                word = gram.decode("utf-8")
                if _FUNCTION_WORDS.issuperset(word.split(" ")):
                    continue  # "i", "to", "if i": real weights, but no explanation
                if low is None:
                    low = text.lower()
                span = next(token_spans(text, word, low), None)
                if span is None:
                    continue
                a, b = span
                if any(m.start < b and a < m.end for m in found):
                    continue  # a rule phrase or a longer n-gram already covers it
                found.append(Match(head, text[a:b], a, b))
                reasons.append(f"{head}: n-gram {word!r} {contribution:+.2f}")
                shown += 1
        found.sort(key=lambda m: (m.start, m.category))
        return tuple(found)

    def relevance(self, text: str, terms: Sequence[str] = ()) -> Relevance:
        """School relevance of ``text`` (see :func:`scoring.school_relevance`)."""
        return self.rules.relevance(text, terms)

    def explain(self, text: str, *, school_terms: Sequence[str] = ()) -> list[str]:
        """Human-readable lines: every hit and the modifiers that moved it."""
        return list(self.score(text, school_terms=school_terms).reasons)


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    """The process-wide scorer with the shipped lexicons and threshold."""
    return Scorer()


def score_text(
    text: str, *, school_terms: Sequence[str] = (), threshold: float | None = None
) -> ScoreResult:
    """Score with the cached default scorer (a given ``threshold`` builds a new one)."""
    scorer = default_scorer() if threshold is None else Scorer(threshold)
    return scorer.score(text, school_terms=school_terms)
