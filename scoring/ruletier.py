"""The rule tier: lexicon hits read in context, as log-odds evidence per category.

Contract: ``RuleTier(lexicons, normalizer).run(text, school_terms=())`` returns a
:class:`RuleOutcome`: per category, the rules' logit (``BIAS`` plus the evidence, absent
when no phrase of that category was found), the evidence with spans in the normalized
text, the categories where a strong word stands alone (floored at "low" by the scorer),
explanations, and the school relevance when ``school_terms`` are given.
``RuleOutcome.strength(category)`` is the evidence without the bias (0.0 without any):
how far the context-read phrases push a category up (intent, time, means, a school,
several warning signs) or down (negation, idiom, counter-speech, reported speech,
fiction). The scorer adds it to
the learned tier's logit; ``weapons`` come from the rules alone.

How a category's logit is made: each hit's logit is its entry weight plus context
modifiers (rules.py). The strongest hit counts fully and up to two more add a quarter of
theirs; a weapon carried with intent counts as violence too, a little weaker.

Self-harm is read the way suicide-risk screening reads a note: DIFFERENT warning signs in
one short post (the ``[section]`` of self_harm.txt: ideation, plan, act, means, timing,
farewell, finality, preparation, burden) compound. The strongest sign counts fully, every
other distinct sign adds ``_SIGN_SHARE`` of its logit, and a time anywhere in the post
adds ``_POST_TIME`` when no sign already used one; repeats of one sign stay a quarter.
An ambiguous sign (file weight below ``_COMPOUNDS_FROM``: "i'm so ready") adds nothing
to another: excitement reads the same ("i'm so ready. tonight is the night").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .lexicon import Lexicons
from .normalize import Normalized, Normalizer
from .relevance import Relevance, compile_school_terms, relevance_of
from .rules import BIAS, CORE_CATEGORIES, Evidence, find_evidence

__all__ = ["RULE_CATEGORIES", "RuleOutcome", "RuleTier"]

RULE_CATEGORIES: tuple[str, ...] = ("violence", "self_harm", "bullying", "weapons")

# Repeated hits in one category add this share of their logit (at most two of them).
_EXTRA_SHARE = 0.25
# A weapon carried or brought with intent counts as violence too, a little weaker.
_WEAPON_TO_VIOLENCE = 1.0
# Each further distinct self-harm warning sign adds this share of its logit.
_SIGN_SHARE = 0.8
# A sign weaker than this (its file weight) does not add to another one.
_COMPOUNDS_FROM = 1.5
# A time elsewhere in a post that already shows a warning sign ("...tonight.").
_POST_TIME = 1.0
# Only this many characters around the first sign count as "one short post".
_POST_SPAN = 400
# A bare strong word (entry weight >= _STRONG, nothing lowered it) is floored at "low".
_STRONG = 1.8
_STRONG_CATEGORIES = ("violence", "self_harm")


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    normalized: Normalized
    evidence: tuple[Evidence, ...]
    logits: dict[str, float]
    floored: frozenset[str]
    reasons: tuple[str, ...]
    relevance: Relevance | None
    # The rules' own verdict per category, for the scorer's floor: ``logits`` but for
    # violence aimed at a name-calling word with nothing that says it is meant (rules.py).
    verdicts: dict[str, float] | None = None

    def strength(self, category: str) -> float:
        """The category's evidence without the bias; 0.0 when the rules found none, and
        at most 0.0 when every phrase of the category was set aside (lowered below its
        alert point by negation, an idiom, quotes, counter-speech...): what the rules
        read as not meant is no evidence for it."""
        logit = self.logits.get(category)
        if logit is None:
            return 0.0
        strength = logit - BIAS[category]
        own = [e for e in self.evidence if e.category == category]
        if own and all(e.lowered and BIAS[category] + e.logit < 0.0 for e in own):
            return min(strength, 0.0)
        return strength


class RuleTier:
    """The lexicon rules of every category; immutable, shared by the scorer."""

    def __init__(self, lexicons: Lexicons, normalizer: Normalizer) -> None:
        self.lexicons = lexicons
        self.normalizer = normalizer

    def run(
        self,
        text: str,
        *,
        school_terms: Sequence[str] = (),
        categories: Sequence[str] = CORE_CATEGORIES,
        normalized: Normalized | None = None,
    ) -> RuleOutcome:
        """The rules on ``text``; only the core lexicons of ``categories`` are scanned
        (the scorer leaves out those where no phrase can match). ``normalized`` is
        ``normalizer(text)`` when the caller has it already."""
        if normalized is None or normalized.text != text:
            normalized = self.normalizer(text)
        school_re = compile_school_terms(school_terms, self.normalizer) if school_terms else None
        evidence = find_evidence(normalized.norm, self.lexicons, school_re, categories)
        relevance = (
            relevance_of(normalized, school_terms, self.lexicons, self.normalizer)
            if school_terms
            else None
        )
        logits: dict[str, float] = {}
        reasons: list[str] = [" ; ".join(e.reasons) for e in evidence]
        for cat in RULE_CATEGORIES:
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
            signs = self._warning_signs(normalized.norm, evidence, reasons)
            logits["self_harm"] = max(logits["self_harm"], BIAS["self_harm"] + signs)
        verdicts = logits
        if any(e.unmeant for e in evidence):
            # The rules' own verdict (the scorer's floor) on violence aimed at a
            # name-calling word: that phrase counts with its ``unmeant`` part.
            verdicts = dict(logits)
            own = sorted(
                [e.logit + e.unmeant for e in evidence if e.category == "violence"]
                + [
                    e.logit - _WEAPON_TO_VIOLENCE
                    for e in evidence
                    if e.category == "weapons" and e.uses_action
                ],
                reverse=True,
            )
            extra = _EXTRA_SHARE * sum(max(0.0, x) for x in own[1:3])
            verdicts["violence"] = BIAS["violence"] + own[0] + extra
        floored = frozenset(
            cat
            for cat in _STRONG_CATEGORIES
            if any(e.category == cat and e.base >= _STRONG and not e.lowered for e in evidence)
        )
        return RuleOutcome(
            normalized, tuple(evidence), logits, floored, tuple(reasons), relevance, verdicts
        )

    def relevance(self, text: str, terms: Sequence[str] = ()) -> Relevance:
        return relevance_of(self.normalizer(text), terms, self.lexicons, self.normalizer)

    def _warning_signs(self, norm: str, evidence: list[Evidence], reasons: list[str]) -> float:
        """Logit of the distinct self-harm warning signs of one short post, compounded."""
        signs = sorted(
            (e for e in evidence if e.category == "self_harm" and e.logit > 0.0),
            key=lambda e: e.start,
        )
        if not signs:
            return 0.0
        strongest = max(signs, key=lambda e: e.logit)
        # An ambiguous sign ("i'm so ready") counts alone or not at all: excitement
        # before a concert reads the same ("i'm so ready. tonight is the night").
        signs = [e for e in signs if e is strongest or e.base >= _COMPOUNDS_FROM]
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
