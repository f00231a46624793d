"""School relevance: does a text talk about one particular school?

Contract: ``school_relevance(text, terms)`` finds a school's own words (names, nicknames,
mascot, handles, places: any strings the district configured) and the generic school
words of ``lexicons/school.txt`` in ``text``. It returns a :class:`Relevance` whose
``matches`` carry spans into the ORIGINAL text, ``score`` is 1.0 when one of the
school's own terms appears, the generic word's weight squashed to at most 0.6 when only
generic words do ("my school", "campus"), else 0.0, and ``relevant`` is ``score >= 0.5``.
Terms are matched after the same normalization as the scorer (case, leetspeak, emoji),
as whole words: "Lincoln" does not match "Lincolnshire".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import Lexicons
from .normalize import Normalized, Normalizer

__all__ = ["Relevance", "RelevanceMatch", "compile_school_terms", "school_relevance"]


@dataclass(frozen=True, slots=True)
class RelevanceMatch:
    """A school word found in the text: ``kind`` is "term" (the school's) or "generic"."""

    term: str
    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Relevance:
    """Whether, and how strongly, a text is about the school."""

    relevant: bool
    score: float
    matches: tuple[RelevanceMatch, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "relevant": self.relevant,
            "score": round(self.score, 4),
            "matches": [
                {"term": m.term, "kind": m.kind, "start": m.start, "end": m.end}
                for m in self.matches
            ],
        }


def _term_source(term: str, normalizer: Normalizer) -> str | None:
    norm = normalizer(term.strip()).norm.strip()
    if not norm:
        return None
    # Words of a multi-word term may be separated by any spacing or punctuation;
    # "@lincolnhs" and "#GoLions" keep their sigil optional so "lincolnhs" matches too.
    words = [re.escape(w) for w in norm.split()]
    src = r"\W+".join(words)
    if src.startswith(("@", "#", r"\#")):
        src = "[@#]?" + src.lstrip("@#\\")
    return r"(?<!\w)" + src + r"(?!\w)"


@lru_cache(maxsize=256)
def _compile_cached(terms: tuple[str, ...], normalizer: Normalizer) -> re.Pattern[str] | None:
    sources = sorted(
        {s for t in terms if (s := _term_source(t, normalizer))}, key=len, reverse=True
    )
    return re.compile("|".join(sources)) if sources else None


def compile_school_terms(terms: Iterable[str], normalizer: Normalizer) -> re.Pattern[str] | None:
    """One regex over the normalized forms of ``terms`` (None when there are none)."""
    return _compile_cached(tuple(sorted({t for t in terms if t and t.strip()})), normalizer)


def relevance_of(
    normalized: Normalized,
    terms: Sequence[str],
    lex: Lexicons,
    normalizer: Normalizer,
) -> Relevance:
    """Relevance of an already-normalized text (used by the scorer and the function)."""
    norm = normalized.norm
    matches: list[RelevanceMatch] = []
    score = 0.0
    pattern = compile_school_terms(terms, normalizer)
    if pattern is not None:
        for m in pattern.finditer(norm):
            a, b = normalized.span(m.start(), m.end())
            matches.append(RelevanceMatch(normalized.text[a:b], "term", a, b))
            score = 1.0
    for hit in lex["school"].finditer(norm):
        a, b = normalized.span(hit.start, hit.end)
        if any(x.start < b and x.end > a for x in matches):
            continue
        matches.append(RelevanceMatch(normalized.text[a:b], "generic", a, b))
        score = max(score, min(0.6, hit.entry.weight / 2.4))
    matches.sort(key=lambda x: x.start)
    return Relevance(score >= 0.5, score, tuple(matches))


def school_relevance(text: str, terms: Sequence[str] = ()) -> Relevance:
    """Relevance of ``text`` to the school described by ``terms`` (see module doc)."""
    from .scorer import default_scorer  # local import: scorer imports this module

    return default_scorer().relevance(text, terms)
