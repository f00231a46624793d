"""Rules: turn core lexicon hits into weighted, explained evidence.

Contract: ``find_evidence(norm, lex, school_re)`` returns one :class:`Evidence` per core
hit of the normalized string. An evidence's ``logit`` is the sum of the entry's weight
and of the context modifiers found around it; ``reasons`` names each of them with its
weight, so every score can be explained term by term. No probability is computed here
(see scorer.py).

Where context is looked for, and why:

* *clause*: the sentence around the hit (split on . ! ? ; newlines and "but"). Time,
  means, school, counter-speech and idioms count anywhere in it.
* *before* (the last ``WINDOW`` words of the clause before the hit): intent ("I'm going
  to"), negation ("I would never"), reported speech ("police say").
* *after* (the next ``WINDOW`` words): the target ("...them all") and "ought" frames
  placed after the verb ("...should not be illegal").
* *text*: games, songs and films, and laughter markers, which frame the whole post.

Negation only looks back to the last comma, so "I don't care, I'm going to..." is not
read as negated, and never counts where it is part of an intent phrase ("can't wait to").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Hit, Lexicon, Lexicons

__all__ = ["BIAS", "Evidence", "find_evidence"]

WINDOW = 10
NEGATION_WORDS = 8

# Log-odds of a category with no evidence at all; a bare core phrase stays "low".
BIAS = {"violence": -4.0, "weapons": -3.5, "self_harm": -3.5, "bullying": -3.5}

# How strongly each framing lowers each category (a multiplier on the file weight).
# Games and songs excuse violence and weapons fully, self-harm and bullying only in part.
_FRAME_FACTOR = {
    "fiction": {"violence": 1.0, "weapons": 1.0, "self_harm": 0.5, "bullying": 0.5},
    "hyperbole": {"violence": 1.0, "weapons": 0.5, "self_harm": 1.25, "bullying": 0.5},
    "mundane": {"violence": 0.0, "weapons": 0.0, "self_harm": 1.0, "bullying": 0.0},
}
# Which raising modifiers apply to which category.
_RAISERS = {
    "violence": ("intent", "desire", "target", "school", "time", "means"),
    "weapons": ("intent", "weapon_action", "school", "time", "target"),
    "self_harm": ("intent", "time", "means"),
    "bullying": ("intent", "desire"),
}

_BOUNDARY = re.compile(r"[.!?;\n]+|\s(?:but|though|although|however)\s")
_WORD = re.compile(r"[\w']+")
_REFLEXIVE = re.compile(
    r"\W+(?:myself|my self|yourself|urself|yourselves|themselves|themself|himself|herself|me)\b"
)
_OTHER_SUBJECT = re.compile(r"\b(?:you|u|he|she|they|he's|she's|they're|you're|someone)\b")
_COUNTERFACTUAL = re.compile(r"\b(?:would|could|'d)\b")
_IF = re.compile(r"\bif\b")
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i'll|i've|me|my|we|we're)\b")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One core hit in context: ``logit`` = entry weight + modifiers (no bias)."""

    category: str
    start: int
    end: int
    logit: float
    reasons: tuple[str, ...]
    uses_action: bool = False


class _Text:
    """Per-text lazily computed context shared by all hits of that text."""

    def __init__(self, norm: str, lex: Lexicons, school_re: re.Pattern[str] | None) -> None:
        self.norm = norm
        self.lex = lex
        self.school_re = school_re
        self.bounds = [(m.start(), m.end()) for m in _BOUNDARY.finditer(norm)]
        self._frames: dict[str, Hit | None] = {}

    def frame(self, name: str) -> Hit | None:
        if name not in self._frames:
            self._frames[name] = self.lex[name].best(self.norm)
        return self._frames[name]

    def clause(self, start: int, end: int) -> tuple[int, int]:
        lo, hi = 0, len(self.norm)
        for b_start, b_end in self.bounds:
            if b_end <= start:
                lo = b_end
            elif b_start >= end:
                hi = b_start
                break
        return lo, hi

    def in_quotes(self, start: int) -> bool:
        return self.norm.count('"', 0, start) % 2 == 1


def _window_start(norm: str, lo: int, start: int, words: int) -> int:
    spans = [m.start() for m in _WORD.finditer(norm, lo, start)]
    return spans[-words] if len(spans) >= words else lo


def _window_end(norm: str, end: int, hi: int, words: int) -> int:
    last = end
    for i, m in enumerate(_WORD.finditer(norm, end, hi)):
        if i >= words:
            break
        last = m.end()
    return last


def _outside(lexicon: Lexicon, norm: str, lo: int, hi: int, start: int, end: int) -> Hit | None:
    """Strongest hit in ``norm[lo:hi]`` that does not overlap the core hit itself."""
    best: Hit | None = None
    for hit in lexicon.finditer(norm, lo, hi):
        if hit.start < end and hit.end > start:
            continue
        if best is None or abs(hit.entry.weight) > abs(best.entry.weight):
            best = hit
    return best


def _evaluate(ctx: _Text, category: str, hit: Hit) -> Evidence | None:
    norm, lex = ctx.norm, ctx.lex
    start, end = hit.start, hit.end
    lo, hi = ctx.clause(start, end)
    if category == "violence" and _REFLEXIVE.match(norm, end, hi):
        return None  # "kill myself" / "kill yourself": self_harm and bullying own these
    pre = _window_start(norm, lo, start, WINDOW)
    post = _window_end(norm, end, hi, WINDOW)
    logit = hit.entry.weight
    reasons = [f"{category} {hit.entry.phrase!r} {hit.entry.weight:+.1f}"]
    used: list[Hit] = []

    def add(name: str, found: Hit | None, factor: float = 1.0) -> None:
        nonlocal logit
        if found is None or factor == 0.0:
            return
        w = found.entry.weight * factor
        logit += w
        used.append(found)
        reasons.append(f"{name} {norm[found.start : found.end]!r} {w:+.1f}")

    raisers = _RAISERS[category]
    intent = _outside(lex["intent"], norm, pre, start, start, end)
    desire = _outside(lex["desire"], norm, pre, post, start, end)
    if "intent" in raisers:
        add("intent", intent)
    if "desire" in raisers:
        add("desire", desire)
    if "target" in raisers:
        add("target", _outside(lex["target"], norm, pre, post, start, end))
    if "weapon_action" in raisers:
        add("action", _outside(lex["weapon_action"], norm, pre, start, start, end))
    if "school" in raisers:
        school = _outside(lex["school"], norm, lo, hi, start, end)
        if ctx.school_re is not None and ctx.school_re.search(norm, lo, hi):
            reasons.append("school term +1.5")
            logit += 1.5
        else:
            add("school", school)
    time_hit = _outside(lex["time"], norm, lo, hi, start, end)
    means_hit = _outside(lex["means"], norm, lo, hi, start, end)
    if "time" in raisers:
        add("time", time_hit)
    if "means" in raisers:
        add("means", means_hit)

    # --- what lowers a hit ---
    if category == "violence":
        # a thing right after the verb ("eradicate poverty") or before a passive
        # ("those initiatives should be...") is not a person
        thing = _outside(lex["objects"], norm, end, _window_end(norm, end, hi, 4), start, end)
        add("object", thing)
    comma = norm.rfind(",", pre, start)
    neg_lo = max(_window_start(norm, lo, start, NEGATION_WORDS), comma + 1)
    negation = None
    for found in lex["negation"].finditer(norm, neg_lo, start):
        if any(h is not None and h.start <= found.start < h.end for h in (intent, desire)):
            continue  # "can't wait to", "why don't you just": eagerness, not negation
        negation = found
    add("negation", negation)
    add("counter", _outside(lex["counter"], norm, lo, hi, start, end))
    add("reported", lex["reported"].best(norm, lo, post))
    if ctx.in_quotes(start):
        logit -= 2.5
        reasons.append("quoted -2.5")
    for frame in ("fiction", "hyperbole"):
        add(frame, ctx.frame(frame), _FRAME_FACTOR[frame][category])
    if _FRAME_FACTOR["mundane"][category]:
        add("mundane", lex["mundane"].best(norm, lo, hi), _FRAME_FACTOR["mundane"][category])
    if category == "self_harm":
        # "If I had to sit through that, I would kill myself": a counterfactual is
        # hyperbole; "if they leave, I'm going to..." (a real condition) is not.
        counterfactual = intent is not None and _COUNTERFACTUAL.search(
            norm, intent.start, intent.end
        )
        if counterfactual and _IF.search(norm, lo, hi):
            logit -= 3.0
            reasons.append("counterfactual -3.0")
        before = norm[max(pre, start - 24) : start]
        if _OTHER_SUBJECT.search(before) and not _FIRST_PERSON.search(before):
            logit -= 2.5
            reasons.append("someone else's words -2.5")
    for idiom in lex["idiom"].finditer(norm, lo, hi):
        if idiom.start < end and idiom.end > start:
            # A figure of speech, unless concrete means or a time say it is meant.
            concrete = means_hit is not None or time_hit is not None
            w = -1.5 if concrete else idiom.entry.weight
            logit += w
            reasons.append(f"idiom {norm[idiom.start : idiom.end]!r} {w:+.1f}")
            break
    uses_action = any(h.entry in lex["weapon_action"].entries for h in used) or intent is not None
    return Evidence(category, start, end, logit, tuple(reasons), uses_action)


def find_evidence(
    norm: str, lex: Lexicons, school_re: re.Pattern[str] | None = None
) -> list[Evidence]:
    """Every core hit of ``norm`` evaluated in context (empty for most texts)."""
    hits = [
        (cat, hit)
        for cat in ("violence", "weapons", "self_harm", "bullying")
        for hit in lex[cat].finditer(norm)
    ]
    if not hits:
        return []
    ctx = _Text(norm, lex, school_re)
    out = []
    for cat, hit in hits:
        ev = _evaluate(ctx, cat, hit)
        if ev is not None:
            out.append(ev)
    return out
