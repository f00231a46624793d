"""The second tier: sentence embeddings on the first tier's candidates.

Contract:

* ``SecondTier(heads_path=None, embedder=None)`` loads the heads trained by
  ``python -m scoring.train.second_tier`` (``model/second_tier.json``: per head, float32
  weights ``beta`` over the 384 dimensions of a sentence embedding and a bias ``b``) and
  the embedding model (:class:`scoring.embed.Embedder`). Raises
  :class:`SecondTierUnavailable` when the model package or numpy, safetensors or
  tokenizers are missing, or the heads file is unreadable: callers then keep the first
  tier's decision and say so.
* ``SecondTier.review(scorer, texts, results)`` -> one :class:`scoring.ScoreResult` per
  text. A text is a *candidate* when the first tier scores it at least ``CANDIDATE_SCORE``
  ("low") or alerts; candidates are embedded in one batch. Per head, the second tier
  corrects the first tier's calibrated logit ``t1`` by what the embedding says:
  ``z2 = t1 + embedding . beta + b``. For the heads of ``VETO_HEADS`` (violence,
  bullying) the category becomes ``min(first, sigmoid(z2))``: the second tier confirms
  or lowers, it never raises (docs/scorer.md: raising cost more false alarms than it
  found, and lowering self-harm lost short explicit statements). The weapons cap (at
  most "low" unless the text still reads as violent) is kept; ``severity`` and ``alert``
  follow the new score; ``matches`` keep the explanations of the categories still at
  "low" or above; ``reasons`` say what changed. Other texts come back unchanged.
* ``version`` names the heads (a digest of their content); ``tier1_version`` is the first
  tier's artifact they were trained beside. The heads read the first tier's *calibrated*
  logit (0 is its alert point whatever the artifact), so a re-trained first tier keeps
  them meaningful; re-train both together all the same (``make train-second-tier``).

Importing ``scoring`` never imports this module, numpy or the model: the first tier stays
on the standard library.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .scorer import SEVERITY_BANDS, Scorer, ScoreResult, severity_for

__all__ = [
    "CANDIDATE_SCORE",
    "DEFAULT_HEADS",
    "FORMAT",
    "VETO_HEADS",
    "SecondTier",
    "SecondTierUnavailable",
    "logit_of",
]

DEFAULT_HEADS = Path(__file__).resolve().parent / "model" / "second_tier.json"
FORMAT = 2
# The heads whose alerts the second tier may set aside (it never raises a score).
VETO_HEADS = ("violence", "bullying")
# A candidate: the first tier scores it "low" or above, or alerts.
CANDIDATE_SCORE = dict(SEVERITY_BANDS)["low"]
_CAP = 0.45  # the first tier's cap of weapons without violence


class SecondTierUnavailable(RuntimeError):
    """The second tier cannot run here: its package, runtime or heads are missing."""


def logit_of(p: float) -> float:
    """The logit of a probability, bounded (a first-tier 0 or 1 is not infinite)."""
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


class SecondTier:
    """Embedding heads applied to the first tier's candidates (see the module doc)."""

    def __init__(self, heads_path: Path | str | None = None, embedder=None) -> None:
        from .embed import EmbeddingsUnavailable  # numpy and the model, only from here

        try:
            import numpy as np

            from .embed import Embedder

            self._np = np
            self.embedder = embedder if embedder is not None else Embedder()
        except (ImportError, EmbeddingsUnavailable) as exc:
            raise SecondTierUnavailable(str(exc)) from exc
        path = Path(heads_path) if heads_path is not None else DEFAULT_HEADS
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            if body.get("format") != FORMAT:
                raise ValueError(f"format {body.get('format')!r}, expected {FORMAT}")
            self.heads: tuple[str, ...] = tuple(body["heads"])
            self.veto_heads: tuple[str, ...] = tuple(body["veto_heads"])
            self.weights = np.stack(
                [np.frombuffer(base64.b64decode(w), dtype="<f4") for w in body["weights"]]
            ).astype(np.float64)
            self.bias = tuple(float(b) for b in body["bias"])
            self.version: str = body["version"]
            self.tier1_version: str = body.get("tier1_version", "")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SecondTierUnavailable(f"second-tier heads at {path}: {exc}") from exc
        if self.weights.shape != (len(self.heads), self.embedder_dimensions):
            raise SecondTierUnavailable(f"second-tier heads at {path}: wrong shape")

    @property
    def embedder_dimensions(self) -> int:
        from .embed import DIMENSIONS

        return DIMENSIONS

    @staticmethod
    def is_candidate(result: ScoreResult) -> bool:
        return result.alert or result.score >= CANDIDATE_SCORE

    def review(
        self, scorer: Scorer, texts: Sequence[str], results: Sequence[ScoreResult]
    ) -> list[ScoreResult]:
        """The results with the second tier applied to the candidates among them."""
        out = list(results)
        chosen = [i for i, r in enumerate(results) if self.is_candidate(r)]
        if not chosen:
            return out
        np = self._np
        vectors = self.embedder.embed([texts[i] for i in chosen]).astype(np.float64)
        for row, i in enumerate(chosen):
            out[i] = self._apply(texts[i], results[i], vectors[row], scorer.threshold)
        return out

    def _apply(self, text: str, result: ScoreResult, vector, threshold: float) -> ScoreResult:
        categories = dict(result.categories)
        reasons = list(result.reasons)
        for h, head in enumerate(self.heads):
            if head not in self.veto_heads:
                continue
            first = categories[head]
            z = logit_of(first) + float(vector @ self.weights[h]) + self.bias[h]
            second = min(first, _sigmoid(z))
            categories[head] = second
            if round(first, 2) != round(second, 2):
                reasons.append(f"{head}: second tier {first:.2f} -> {second:.2f}")
        if categories["violence"] < 0.5 and categories["weapons"] > _CAP:
            categories["weapons"] = _CAP
        score = max(categories.values())
        matches = tuple(m for m in result.matches if categories[m.category] >= CANDIDATE_SCORE)
        return replace(
            result,
            score=score,
            severity=severity_for(score),
            categories=categories,
            alert=score >= threshold,
            matches=matches,
            reasons=tuple(reasons),
        )
