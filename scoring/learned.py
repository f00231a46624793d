"""The learned tier: one logistic-regression head per category over word n-grams.

Contract:

* ``load_model(path=None)`` reads a model artifact (gzipped JSON written by
  ``python -m scoring.train``; the shipped one is ``model/harm.json.gz``: scalars as JSON,
  the n-grams as one newline-joined string, ``idf**2`` and each head's weights as base64
  little-endian float32 arrays) once per process and path (cached), and returns an
  immutable :class:`LearnedModel`. Nothing else is
  needed at run time: no scikit-learn, no numpy, nothing fetched.
* ``LearnedModel.logits(features)`` -> one raw logit per head for a set of features
  (``scoring.features.grams``). The logit is the head's decision value: bias plus the dot
  product of its weights with the text's TF-IDF vector (binary term frequency, divided
  by ``sqrt(sum(idf**2) + norm_smoothing)`` over the features the model knows).
* ``LearnedModel.contributions(features, head)`` -> ``[(gram, contribution)]``, largest
  first: what each n-gram added to that head's logit, for explanations.
* ``version`` names the artifact (a digest of its content): alerts and ``score_posts``
  record it, so a re-trained model never replaces the shipped one unnoticed.

``logits`` is the pure-Python reference: one dict lookup per feature of the text finds its
row, a bytes object of native doubles (``idf**2`` for the norm, then ``weight * idf`` per
head, so no multiplication is left); the rows found are joined into one buffer and each
column summed through a strided ``memoryview``, all at C speed, without a Python-level
loop or a tuple per feature. ``compiled()`` indexes the same rows in the optional C
extension (``scoring/_speedups.c``, built by ``make install``), which the scorer uses for
the path every text takes; where it is not built, one warning at import and this path.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import sys
import warnings
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import Any

try:  # the compiled lookups (scoring/_speedups.c, built by `make install`)
    from . import _speedups
except ImportError:  # pragma: no cover - exercised where the extension is not built
    _speedups = None
    warnings.warn(
        "scoring._speedups is not built: the harm scorer's learned tier runs as pure "
        "Python (same scores, about 1.5x slower); build it with `make install` or "
        "`python scoring/build_speedups.py`",
        RuntimeWarning,
        stacklevel=2,
    )

__all__ = ["COMPILED", "DEFAULT_MODEL", "FORMAT", "LearnedModel", "ModelError", "load_model"]

# Whether the compiled lookups are there (LearnedModel.compiled returns None otherwise).
COMPILED = _speedups is not None

DEFAULT_MODEL = Path(__file__).resolve().parent / "model" / "harm.json.gz"
FORMAT = 2


class ModelError(ValueError):
    """The artifact is missing, of another format, or inconsistent."""


@dataclass(frozen=True)
class LearnedModel:
    """Weights of every head, keyed by n-gram. Immutable; safe to share between threads."""

    version: str
    heads: tuple[str, ...]
    bias: tuple[float, ...]
    # Per head: raw logit -> calibrated logit is ``slope * (raw - threshold)``, so that
    # 0.0 (a probability of 0.5) is the alert point chosen on validation data.
    slope: tuple[float, ...]
    threshold: tuple[float, ...]
    rule_weight: tuple[float, ...]  # per head: how much the rule tier's strength counts
    norm_smoothing: float  # added to the squared norm: one word is not a certainty
    idf2: dict[bytes, float] = field(repr=False)  # gram -> idf**2 (for the norm)
    # gram -> (idf**2, *w*idf) packed as native float64, one bytes object per n-gram
    rows: dict[bytes, bytes] = field(repr=False)
    columns: tuple[dict[bytes, float], ...] = field(repr=False)  # per head: gram -> w*idf
    vocabulary: frozenset[bytes] = field(repr=False)
    meta: dict = field(repr=False, default_factory=dict)

    def logits(self, features: set[bytes]) -> tuple[float, ...]:
        """Raw decision values per head (bias when no feature is known)."""
        # One dict lookup per feature (unknown ones give None and are dropped), the
        # known rows joined into one buffer of doubles, then C-level sums of its strided
        # columns: no tuple per feature, no transposition. The sums add the same values
        # in the same order as a per-column loop would.
        packed = b"".join(filter(None, map(self.rows.get, features)))
        if not packed:
            return self.bias
        values = memoryview(packed).cast("d")
        stride = len(self.heads) + 1
        norm = math.sqrt(sum(values[0::stride]) + self.norm_smoothing)
        return tuple(b + sum(values[i::stride]) / norm for i, b in enumerate(self.bias, 1))

    def compiled(self, marks: dict[bytes, int] | None = None) -> Any:
        """A compiled index of this model (``scoring._speedups.Table``), or None when the
        extension is not built. ``table.scan(features.translated(text))`` returns
        ``(self.logits(features.grams(text)), the OR of the ``marks`` of the n-grams of
        the text, its number of tokens)``: the same logits (the same values summed in
        another order) without building the set. ``marks`` (n-gram -> bits) may name
        n-grams the model does not know."""
        if _speedups is None:
            return None
        return _speedups.Table(
            tuple(self.rows),
            b"".join(self.rows.values()),
            len(self.heads) + 1,
            self.bias,
            self.norm_smoothing,
            dict(marks or {}),
        )

    def known(self, features: set[bytes]) -> tuple[set[bytes], float]:
        """The features the model knows, and the text's norm over them: what
        ``without`` and ``contributions`` need, made once for a text that needs both
        (or several heads' contributions)."""
        known = features.intersection(self.vocabulary)
        return known, math.sqrt(sum(map(self.idf2.__getitem__, known)) + self.norm_smoothing)

    def without(
        self,
        raw: tuple[float, ...],
        features: set[bytes],
        removed: set[bytes],
        known: tuple[set[bytes], float] | None = None,
    ) -> tuple[float, ...]:
        """``raw`` (the logits of ``features``) less what the ``removed`` n-grams added:
        the text's norm stays, only their evidence goes. ``known`` is
        ``self.known(features)`` when the caller has it."""
        gone = removed.intersection(self.vocabulary).intersection(features)
        if not gone:
            return raw
        _, norm = known or self.known(features)
        return tuple(
            z - sum(map(column.__getitem__, gone)) / norm
            for z, column in zip(raw, self.columns, strict=True)
        )

    def calibrated(self, raw: tuple[float, ...]) -> tuple[float, ...]:
        """Calibrated logits: 0.0 at each head's alert point."""
        return tuple([s * (z - t) for s, z, t in zip(self.slope, raw, self.threshold, strict=True)])

    def contributions(
        self,
        features: set[bytes],
        head: str,
        minimum: float | None = None,
        known: tuple[set[bytes], float] | None = None,
    ) -> list[tuple[bytes, float]]:
        """What each known n-gram added to ``head``'s raw logit, largest first; with
        ``minimum``, only those that added at least that much. ``known`` is
        ``self.known(features)`` when the caller has it."""
        column = self.columns[self.heads.index(head)]
        known, norm = known or self.known(features)
        if not known:
            return []
        if minimum is not None:
            # Only those that reach the floor, picked without a Python-level loop:
            # ``floor <= weight`` per n-gram by a C-level map, then ``compress``.
            known = list(known)
            reach = (minimum * norm).__le__
            known = list(compress(known, map(reach, map(column.__getitem__, known))))
        found = [(g, column[g] / norm) for g in known]
        found.sort(key=lambda x: (-x[1], x[0]))
        return found


def _floats(encoded: str, n: int) -> array:
    """A base64 string of ``n`` little-endian float32 values, as an array of floats."""
    values = array("f")
    values.frombytes(base64.b64decode(encoded))
    if sys.byteorder != "little":
        values.byteswap()
    if len(values) != n:
        raise ModelError(f"model array of {len(values)} values, expected {n}")
    return values


def _packed_rows(grams: list[bytes], idf2: array, weights: list[array]) -> dict[bytes, bytes]:
    """gram -> its idf**2 and per-head weights as one bytes object of native doubles."""
    stride = len(weights) + 1
    table = array("d", bytes(8 * stride * len(grams)))
    for i, column in enumerate([idf2, *weights]):
        table[i::stride] = array("d", column)
    blob = table.tobytes()
    size = 8 * stride
    return dict(zip(grams, (blob[i : i + size] for i in range(0, len(blob), size)), strict=True))


def _parse(data: dict) -> LearnedModel:
    if data.get("format") != FORMAT:
        raise ModelError(f"model format {data.get('format')!r}, expected {FORMAT}")
    heads = tuple(data["heads"])
    # Features are joined by newlines (a feature never holds one): one split, not a
    # JSON list of 100,000 strings, keeps loading fast.
    grams = data["features"].encode("utf-8").split(b"\n")
    n = len(grams)
    idf2 = _floats(data["idf2"], n)
    weights = [_floats(w, n) for w in data["weights"]]
    if len(weights) != len(heads):
        raise ModelError("model weights do not match its heads")
    return LearnedModel(
        version=data["version"],
        heads=heads,
        bias=tuple(data["bias"]),
        slope=tuple(data["slope"]),
        threshold=tuple(data["threshold"]),
        rule_weight=tuple(float(w) for w in data["rule_weight"]),
        norm_smoothing=float(data["norm_smoothing"]),
        idf2=dict(zip(grams, idf2, strict=True)),
        rows=_packed_rows(grams, idf2, weights),
        columns=tuple(dict(zip(grams, w, strict=True)) for w in weights),
        vocabulary=frozenset(grams),
        meta=data.get("meta", {}),
    )


def load_model(path: Path | str | None = None) -> LearnedModel:
    """Read and index a model artifact (default: the shipped one); cached per path, so
    ``load_model()``, ``load_model(None)`` and the shipped file's own path share one copy."""
    return _load(Path(path).resolve() if path is not None else DEFAULT_MODEL)


@lru_cache(maxsize=4)
def _load(target: Path) -> LearnedModel:
    try:
        with gzip.open(target, "rt", encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError as exc:
        raise ModelError(f"no model at {target}: run `make train-scorer`") from exc
    return _parse(data)
