"""The scorer: texts in, calibrated and explained harm scores out.

Contract (see DESIGN.md, "The scorer's contract"):

* ``Scorer(threshold=DEFAULT_THRESHOLD, lexicon_dir=None)`` loads and compiles the
  lexicons once; a scorer is immutable and safe to share between threads.
* ``Scorer.score(text, *, school_terms=())`` -> :class:`ScoreResult`. Deterministic: the
  same text, terms, threshold and lexicons always give the same result.
* ``ScoreResult.to_dict(id=...)`` is exactly the JSON line of ``score_posts``:
  ``{"id", "score", "severity", "categories", "alert", "matches"}``; ``matches`` hold
  ``{"category", "phrase", "start", "end"}`` with offsets into the ORIGINAL text.

How a score is made: each core hit gets a logit (entry weight + context modifiers, see
rules.py). Per category, the strongest hit counts fully and up to two more add a quarter
of theirs (repetition is evidence, but weak), plus the category's bias; a logistic squash
turns that into 0-1. A text's ``score`` is its highest category score, and ``severity``
is a fixed band of ``score`` (``SEVERITY_BANDS``), independent of the threshold.

Self-harm is read the way suicide-risk screening reads a note: DIFFERENT warning signs in
one short post (the ``[section]`` of self_harm.txt: ideation, plan, act, means, timing,
farewell, finality, preparation, burden) compound. The strongest sign counts fully, every
other distinct sign adds ``_SIGN_SHARE`` of its logit, and a time anywhere in the post
adds ``_POST_TIME`` when no sign already used one; repeats of one sign stay a quarter.

A strong harm word standing alone ("murder", "suicide": entry weight >= ``_STRONG`` in
violence or self_harm, with nothing that lowered it) is "low", never "none": a counselor
searching the feed should find it, and it still never alerts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .lexicon import Lexicons, load_lexicons
from .normalize import Normalizer
from .relevance import Relevance, compile_school_terms, relevance_of
from .rules import BIAS, Evidence, find_evidence

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
# Alert from "medium" up: a hit needs context (intent, target, time, means, or an
# explicit self-harm or harassment phrase) to get there; a bare keyword stays "low".
DEFAULT_THRESHOLD = 0.5

# Repeated hits in one category add this share of their logit (at most two of them).
_EXTRA_SHARE = 0.25
# A weapon carried or brought with intent counts as violence too, a little weaker.
_WEAPON_TO_VIOLENCE = 1.0
# Each further distinct self-harm warning sign adds this share of its logit.
_SIGN_SHARE = 0.8
# A time elsewhere in a post that already shows a warning sign ("...tonight.").
_POST_TIME = 1.0
# Only this many characters around the first sign count as "one short post".
_POST_SPAN = 400
# Bare strong words are floored at the bottom of "low".
_STRONG = 1.8
_STRONG_CATEGORIES = ("violence", "self_harm")
_LOW = dict(SEVERITY_BANDS)["low"]


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
    return 1.0 / (1.0 + math.exp(-x))


# A category without a single hit scores exactly 0, not its bias.
_ZERO = dict.fromkeys(CATEGORIES, 0.0)


class Scorer:
    """Scores texts for violence, weapons, self-harm and bullying language."""

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, lexicon_dir: Path | str | None = None
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within 0..1, got {threshold}")
        self.threshold = threshold
        self.lexicons: Lexicons = load_lexicons(lexicon_dir)
        self.normalizer = Normalizer(self.lexicons.emoji, self.lexicons.short_words())
        self._empty = ScoreResult(
            score=0.0, severity="none", categories=dict(_ZERO), alert=False, matches=()
        )

    def score(self, text: str, *, school_terms: Sequence[str] = ()) -> ScoreResult:
        """Score one text; ``school_terms`` are the school's own words (see relevance)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        normalized = self.normalizer(text)
        school_re = compile_school_terms(school_terms, self.normalizer) if school_terms else None
        evidence = find_evidence(normalized.norm, self.lexicons, school_re)
        relevance = (
            relevance_of(normalized, school_terms, self.lexicons, self.normalizer)
            if school_terms
            else None
        )
        if not evidence:
            if relevance is None:
                return self._empty
            return ScoreResult(**{**_fields(self._empty), "relevance": relevance})

        logits: dict[str, float] = {}
        sign_reasons: list[str] = []
        for cat in CATEGORIES:
            own = sorted((e.logit for e in evidence if e.category == cat), reverse=True)
            if cat == "violence":
                carried = [
                    e.logit - _WEAPON_TO_VIOLENCE
                    for e in evidence
                    if e.category == "weapons" and e.uses_action
                ]
                own = sorted(own + carried, reverse=True)
            if own:
                extra = _EXTRA_SHARE * sum(max(0.0, x) for x in own[1:3])
                logits[cat] = BIAS[cat] + own[0] + extra
        if "self_harm" in logits:
            signs = self._warning_signs(normalized.norm, evidence, sign_reasons)
            logits["self_harm"] = max(logits["self_harm"], BIAS["self_harm"] + signs)
        categories = {c: _sigmoid(logits[c]) if c in logits else 0.0 for c in CATEGORIES}
        for cat in _STRONG_CATEGORIES:
            if 0.0 < categories[cat] < _LOW and any(
                e.category == cat and e.base >= _STRONG and not e.lowered for e in evidence
            ):
                categories[cat] = _LOW
                sign_reasons.append(f"{cat}: a strong word standing alone is low")
        score = max(categories.values())
        matches = []
        for e in sorted(evidence, key=lambda e: (e.start, e.category)):
            # Report a phrase only if, in its context, it pushes its category upward.
            if e.logit <= 0.0:
                continue
            a, b = normalized.span(e.start, e.end)
            matches.append(Match(e.category, text[a:b], a, b))
        reasons = tuple(" ; ".join(e.reasons) for e in evidence) + tuple(sign_reasons)
        return ScoreResult(
            score=score,
            severity=severity_for(score),
            categories=categories,
            alert=score >= self.threshold,
            matches=tuple(matches),
            reasons=reasons,
            relevance=relevance,
        )

    def _warning_signs(self, norm: str, evidence: list[Evidence], reasons: list[str]) -> float:
        """Logit of the distinct self-harm warning signs of one short post, compounded."""
        signs = sorted(
            (e for e in evidence if e.category == "self_harm" and e.logit > 0.0),
            key=lambda e: e.start,
        )
        if not signs:
            return 0.0
        first = signs[0].start
        signs = [e for e in signs if e.start - first <= _POST_SPAN]
        by_kind: dict[str, list[float]] = {}
        for e in signs:
            by_kind.setdefault(e.kind or "other", []).append(e.logit)
        per_kind = sorted(
            (
                (max(v) + _EXTRA_SHARE * sum(sorted(v, reverse=True)[1:3]), k)
                for k, v in by_kind.items()
            ),
            reverse=True,
        )
        total = per_kind[0][0] + _SIGN_SHARE * sum(x for x, _ in per_kind[1:])
        if not any(e.used_time for e in signs):
            time_hit = next(
                (
                    t
                    for t in self.lexicons["time"].finditer(norm, first, first + _POST_SPAN)
                    if not any(e.start < t.end and t.start < e.end for e in signs)
                ),
                None,
            )
            if time_hit is not None:
                total += _POST_TIME
                reasons.append(
                    f"self_harm: time in the post {norm[time_hit.start : time_hit.end]!r}"
                )
        if len(per_kind) > 1 or total > per_kind[0][0]:
            reasons.append(
                "self_harm warning signs: " + ", ".join(f"{k} {x:+.1f}" for x, k in per_kind)
            )
        return total

    def relevance(self, text: str, terms: Sequence[str] = ()) -> Relevance:
        """School relevance of ``text`` (see :func:`scoring.school_relevance`)."""
        return relevance_of(self.normalizer(text), terms, self.lexicons, self.normalizer)

    def explain(self, text: str, *, school_terms: Sequence[str] = ()) -> list[str]:
        """Human-readable lines: every hit and the modifiers that moved it."""
        return list(self.score(text, school_terms=school_terms).reasons)


def _fields(result: ScoreResult) -> dict[str, object]:
    return {name: getattr(result, name) for name in ScoreResult.__slots__}


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
