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

Three readings change which category a hit feeds, or which way a frame pushes it:

* *incitement*: a self-harm phrase aimed at "you" ("why don't you just jump off a
  bridge") is harassment: it becomes bullying evidence (incite.txt), not the speaker's.
* *first-hand report*: reported speech lowers a threat ("police say..."), but a threat
  relayed by the person who heard it, about me, us, our school or class, or with a time
  or a weapon ("he said he's going to stab me after school"), is what a tip line exists
  for: the report frame then raises it (firsthand.txt), unless news, fiction, laughter or
  an everyday frame ("my mom said...", "the test") is in the post (news.txt, mundane.txt).
* *coming back*: a farewell or "won't be here" with a return or an everyday reason ("see
  you after break", "family trip") is lowered by return.txt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .lexicon import Entry, Hit, Lexicon, Lexicons

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
    r"\W+(?:myself|my self|yourself|urself|yourselves|themselves|themself|himself|herself)\b"
)
_ME = re.compile(r"\W+me\b")
# Whom a relayed threat is aimed at: the reporter or their own people and places.
_VICTIM = re.compile(r"\b(?:me|us|my|our|mine)\b")
# An idiom whose object is a person ("gonna kill me") can be meant; "kill it" cannot.
_PERSON_OBJECT = re.compile(r"\b(?:me|us|you|u|him|her|them)$")
# Warning signs that a return ("see you after break") or an everyday reason undoes.
_RETURNABLE = frozenset({"farewell", "finality", "timing", "preparation"})
_OTHER_SUBJECT = re.compile(r"\b(?:you|u|he|she|they|he's|she's|they're|you're|someone)\b")
_COUNTERFACTUAL = re.compile(r"\b(?:would|could|'d)\b")
_IF = re.compile(r"\bif\b")
# A second predicate after a call for justice: "should be arrested AND executed" (a
# participle the frame's "be" governs; "charges of fraud and murder" names a crime).
_COORDINATED = re.compile(r"\b(?:and|or|then)\b|&")
_PARTICIPLE = re.compile(r"\w*(?:ed|hung|shot)$")
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
    kind: str = ""
    base: float = 0.0
    lowered: bool = False
    used_time: bool = False
    # Added to ``logit`` for the rules' own verdict only (an insult-addressed threat).
    unmeant: float = 0.0


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


def _insult(ctx: _Text, hit: Hit, hi: int) -> Hit | None:
    """A name-calling word as the phrase's object ("kill that bitch", "kill all them
    hoes"): an insult-target phrase at most one word after the hit (insult.txt)."""
    norm = ctx.norm
    found = _outside(ctx.lex["insult"], norm, hit.end, _window_end(norm, hit.end, hi, 4), 0, 0)
    if found is None or len(_WORD.findall(norm, hit.end, found.start)) > 1:
        return None
    return found


def _call_for_harm(desire: Lexicon, norm: str, frame: Hit) -> Hit:
    """The strongest raising desire phrase that matches where ``frame`` (a call for
    justice) starts: "should be" in "should be arrested and executed"."""
    best = frame
    for entry, pattern in zip(desire.entries, desire.entry_patterns, strict=True):
        if entry.weight > max(0.0, best.entry.weight):
            found = pattern.match(norm, frame.start)
            if found is not None:
                best = Hit(entry, frame.start, found.end())
    return best


def _incitement(ctx: _Text, lo: int, start: int) -> Hit | None:
    """An incitement frame ("why don't you just", "you should") right before ``start``."""
    found = None
    for h in ctx.lex["incite"].finditer(ctx.norm, _window_start(ctx.norm, lo, start, 8), start):
        if len(_WORD.findall(ctx.norm, h.end, start)) <= 1:
            found = h
    return found


def _firsthand(
    ctx: _Text, lo: int, hi: int, pre: int, hit: Hit, post: int, *, aimed: bool
) -> Hit | None:
    """The report frame when ``hit`` is a threat relayed first-hand (see module doc).

    With ``aimed``, only a named victim or place counts ("he has a knife for me"), not a
    time or means: a weapon with a time is as often a trip to the range as a threat.
    """
    norm, lex = ctx.norm, ctx.lex
    frame = _outside(lex["firsthand"], norm, pre, hit.start, hit.start, hit.end)
    if frame is None:
        return None
    if any(ctx.frame(f) is not None for f in ("news", "fiction", "hyperbole")):
        return None
    for everyday in lex["mundane"].finditer(norm, lo, hit.start):
        if everyday.end >= frame.start:
            return None  # "my mom said she'll kill me", "he said the test will kill us"
    victim = _VICTIM.search(norm, frame.end, post) is not None
    place = lex["school"].best(norm, lo, hi) is not None or (
        ctx.school_re is not None and ctx.school_re.search(norm, lo, hi) is not None
    )
    planned = not aimed and (
        lex["time"].best(norm, lo, hi) is not None or lex["means"].best(norm, lo, hi) is not None
    )
    return frame if victim or place or planned else None


def _evaluate(ctx: _Text, category: str, hit: Hit) -> Evidence | None:
    norm, lex = ctx.norm, ctx.lex
    start, end = hit.start, hit.end
    if hit.entry.weight <= 0.0:
        return None  # a shield line: "i'm done with (homework)" is not "i'm done"
    lo, hi = ctx.clause(start, end)
    if category == "violence" and _REFLEXIVE.match(norm, end, hi):
        return None  # "kill myself" / "kill yourself": self_harm and bullying own these
    pre = _window_start(norm, lo, start, WINDOW)
    post = _window_end(norm, end, hi, WINDOW)
    if category == "self_harm":
        incite = _incitement(ctx, lo, start)
        if incite is not None:
            # aimed at "you": harassment, evaluated as one bullying phrase
            entry = Entry(
                hit.entry.weight + incite.entry.weight,
                f"{norm[incite.start : incite.end].strip()} + {hit.entry.phrase}",
                hit.entry.source,
            )
            return _evaluate(ctx, "bullying", Hit(entry, incite.start, end))
    firsthand = (
        _firsthand(ctx, lo, hi, pre, hit, post, aimed=category == "weapons")
        if category in ("violence", "weapons")
        else None
    )
    if category == "violence" and firsthand is None and _ME.match(norm, end, hi):
        return None  # "kill me" outside a relayed threat: "just kill me", hyperbole
    logit = hit.entry.weight
    reasons = [f"{category} {hit.entry.phrase!r} {hit.entry.weight:+.1f}"]
    used: list[Hit] = []
    lowered = False

    def add(name: str, found: Hit | None, factor: float = 1.0) -> None:
        nonlocal logit, lowered
        if found is None or factor == 0.0:
            return
        w = found.entry.weight * factor
        logit += w
        lowered = lowered or w < 0.0
        used.append(found)
        reasons.append(f"{name} {norm[found.start : found.end]!r} {w:+.1f}")

    raisers = _RAISERS[category]
    intent = _outside(lex["intent"], norm, pre, start, start, end)
    desire = _outside(lex["desire"], norm, pre, post, start, end)
    if "intent" in raisers:
        add("intent", intent)
    if (
        desire is not None
        and desire.entry.weight < 0.0
        and desire.end <= start
        and _COORDINATED.search(norm, desire.end, start)
        and _PARTICIPLE.match(norm, start, end)
    ):
        # "should be arrested and executed": the frame asks for the harm too
        desire = _call_for_harm(lex["desire"], norm, desire)
    if "desire" in raisers:
        add("desire", desire)
    target = None
    if "target" in raisers:
        target = _outside(lex["target"], norm, pre, post, start, end)
        add("target", target)
    if "weapon_action" in raisers:
        add("action", _outside(lex["weapon_action"], norm, pre, start, start, end))
    school = False
    if "school" in raisers:
        place = _outside(lex["school"], norm, lo, hi, start, end)
        if ctx.school_re is not None and ctx.school_re.search(norm, lo, hi):
            reasons.append("school term +1.5")
            logit += 1.5
            school = True
        else:
            add("school", place)
            school = place is not None
    time_hit = _outside(lex["time"], norm, lo, hi, start, end)
    means_hit = _outside(lex["means"], norm, lo, hi, start, end)
    if "time" in raisers:
        add("time", time_hit)
    if "means" in raisers:
        add("means", means_hit)
    earnest = None
    if category in ("self_harm", "violence"):
        earnest = _outside(lex["earnest"], norm, lo, hi, start, end)
        add("earnest", earnest)
    if firsthand is not None:
        add("first-hand report", firsthand)
        if _VICTIM.search(norm, firsthand.end, post):
            logit += 0.8
            reasons.append("aimed at the reporter +0.8")
    unmeant = 0.0
    insult = _insult(ctx, hit, hi) if category == "violence" else None
    if insult is not None and not (school or any((time_hit, means_hit, earnest, firsthand))):
        # Aimed at a name-calling word, with nothing that says it is meant (insult.txt):
        # the rules' own verdict (the scorer's floor) leaves the phrase's target out and
        # counts the insult instead; their evidence for the combination is unchanged.
        unmeant = insult.entry.weight
        if target is not None and target.end > insult.start:
            unmeant -= target.entry.weight
        reasons.append(
            f"insult-addressed {norm[insult.start : insult.end]!r} {unmeant:+.1f} (not on its own)"
        )
    if category == "bullying":
        # "why don't you just die": the frame raises it, and its "don't" is no negation
        incite = None
        for found in lex["incite"].finditer(norm, pre, end):
            if found.start < start:
                incite = found
        add("incitement", incite)
    else:
        incite = None

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
        if any(h is not None and h.start <= found.start < h.end for h in (intent, desire, incite)):
            continue  # "can't wait to", "why don't you just": eagerness, not negation
        negation = found
    add("negation", negation)
    counter = _outside(lex["counter"], norm, lo, hi, start, end)
    if firsthand is None or counter is None or counter.end <= firsthand.start:
        add("counter", counter)  # "she threatened to" is the report itself, not a rebuke
    if firsthand is None:
        add("reported", lex["reported"].best(norm, lo, post))
    if ctx.in_quotes(start):
        logit -= 2.5
        lowered = True
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
            lowered = True
            reasons.append("counterfactual -3.0")
        before = norm[max(pre, start - 24) : start]
        if _OTHER_SUBJECT.search(before) and not _FIRST_PERSON.search(before):
            logit -= 2.5
            lowered = True
            reasons.append("someone else's words -2.5")
        if hit.entry.kind in _RETURNABLE:
            add("coming back", ctx.frame("return"))
    for idiom in lex["idiom"].finditer(norm, lo, hi):
        if idiom.start < end and idiom.end > start:
            # A figure of speech, unless concrete means say it is meant; a time or a
            # first-hand report does too when the idiom's object is a person
            # ("he's going to kill me tomorrow"), never for "kill it at the game".
            person = _PERSON_OBJECT.search(norm, idiom.start, idiom.end) is not None
            concrete = means_hit is not None or (
                person and (time_hit is not None or firsthand is not None)
            )
            w = -1.5 if concrete else idiom.entry.weight
            logit += w
            lowered = True
            reasons.append(f"idiom {norm[idiom.start : idiom.end]!r} {w:+.1f}")
            break
    uses_action = any(h.entry in lex["weapon_action"].entries for h in used) or intent is not None
    return Evidence(
        category,
        start,
        end,
        logit,
        tuple(reasons),
        uses_action,
        kind=hit.entry.kind,
        base=hit.entry.weight,
        lowered=lowered,
        used_time=time_hit is not None and "time" in raisers,
        unmeant=unmeant,
    )


CORE_CATEGORIES = ("violence", "weapons", "self_harm", "bullying")


def find_evidence(
    norm: str,
    lex: Lexicons,
    school_re: re.Pattern[str] | None = None,
    categories: Sequence[str] = CORE_CATEGORIES,
) -> list[Evidence]:
    """Every core hit of ``norm`` evaluated in context (empty for most texts); only the
    core lexicons of ``categories`` are scanned (the caller knows the others cannot
    match, see anchors.py)."""
    hits = [(cat, hit) for cat in categories for hit in lex[cat].finditer(norm)]
    if not hits:
        return []
    ctx = _Text(norm, lex, school_re)
    out = []
    for cat, hit in hits:
        ev = _evaluate(ctx, cat, hit)
        if ev is not None:
            out.append(ev)
    return out
