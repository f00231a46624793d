"""Harm-language scorer for short texts: pure Python, offline, deterministic, explained.

No Django imports anywhere in this package: the app and ``score_posts`` wrap it.

    from scoring import Scorer, score_text, school_relevance
    result = score_text("...", school_terms=["Lincoln High", "@lincolnhs"])
    result.to_dict(id="post-1")   # the JSON contract of score_posts

Two tiers: a learned one (word n-gram logistic regression per category, weights in
``model/harm.json.gz``, trained by ``python -m scoring.train``) on every text, and the
lexicon rules (readable text files in ``lexicons/``, see its README.txt) on candidates.
See docs/scorer.md, the model card.
"""

from .learned import LearnedModel, ModelError, load_model
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
    "LearnedModel",
    "LexiconError",
    "Match",
    "ModelError",
    "Relevance",
    "RelevanceMatch",
    "ScoreResult",
    "Scorer",
    "default_scorer",
    "load_lexicons",
    "load_model",
    "school_relevance",
    "score_text",
    "severity_for",
]
