"""Harm-language scorer for short texts: pure Python, offline, deterministic, explained.

No Django imports anywhere in this package: the app and ``score_posts`` wrap it.

    from scoring import Scorer, score_text, school_relevance
    result = score_text("...", school_terms=["Lincoln High", "@lincolnhs"])
    result.to_dict(id="post-1")   # the JSON contract of score_posts

Lexicons are readable text files in ``lexicons/`` (see its README.txt).
"""

from .lexicon import LexiconError, load_lexicons
from .relevance import Relevance, RelevanceMatch, school_relevance
from .scorer import (
    CATEGORIES,
    DEFAULT_THRESHOLD,
    SEVERITIES,
    Match,
    Scorer,
    ScoreResult,
    default_scorer,
    score_text,
    severity_for,
)

__all__ = [
    "CATEGORIES",
    "DEFAULT_THRESHOLD",
    "SEVERITIES",
    "LexiconError",
    "Match",
    "Relevance",
    "RelevanceMatch",
    "ScoreResult",
    "Scorer",
    "default_scorer",
    "load_lexicons",
    "school_relevance",
    "score_text",
    "severity_for",
]
