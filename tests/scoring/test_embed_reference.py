"""The second tier's numpy forward pass against the reference: embeddings that torch
2.13.0 and sentence-transformers computed for 50 texts with the same packaged model
(bench/embed_reference.py wrote them, in a throwaway virtualenv)."""

import base64
import json
from pathlib import Path

import numpy as np

from scoring.embed import DIMENSIONS, Embedder

REFERENCE = Path(__file__).resolve().parent / "embed_reference.json"


def _reference():
    body = json.loads(REFERENCE.read_text(encoding="utf-8"))
    vectors = np.stack(
        [np.frombuffer(base64.b64decode(v), dtype="<f2") for v in body["embeddings_float16"]]
    ).astype(np.float64)
    return body["texts"], vectors


def test_it_matches_sentence_transformers_on_every_reference_text():
    texts, expected = _reference()
    assert len(texts) == 50 and expected.shape == (50, DIMENSIONS)
    # Odd batches: padding inside a batch must change nothing.
    ours = Embedder().embed(texts, batch_size=7).astype(np.float64)
    cosine = (ours * expected).sum(axis=1) / (
        np.linalg.norm(ours, axis=1) * np.linalg.norm(expected, axis=1)
    )
    assert cosine.min() > 0.999, [
        (t[:40], c) for t, c in zip(texts, cosine, strict=True) if c <= 0.999
    ]


def test_it_gives_unit_vectors_and_the_same_vector_alone_or_in_a_batch():
    texts, _ = _reference()
    embedder = Embedder()
    together = embedder.embed(texts[:12])
    alone = np.stack([embedder.embed([t])[0] for t in texts[:12]])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.abs(together - alone).max() < 1e-5
    assert embedder.embed([]).shape == (0, DIMENSIONS)


def test_it_cuts_long_texts_at_128_word_pieces():
    embedder = Embedder()
    long = "the game last night was great " * 100
    assert len(embedder.tokenizer.encode(long).ids) == 128
    cut = embedder.tokenizer.decode(embedder.tokenizer.encode(long).ids)
    a, b = embedder.embed([long, cut])
    assert float(a @ b) > 0.999
