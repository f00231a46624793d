"""The scorer's results on a committed sample must not drift.

``expected_scores.jsonl`` holds, for a seeded sample of the committed data (short and long
posts of every source) and every hand-written case, the scores of the shipped scorer: each
category, the alert and the explained spans. A speed-up or a refactoring must reproduce
them (categories within 1e-9: only the order of float additions may differ); a deliberate
change (lexicons, a re-trained model) regenerates the file, and the diff shows what moved:

    .venv/bin/python tests/scoring/test_expected_scores.py --write
"""

import json
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).with_name("expected_scores.jsonl")
_PER_SOURCE = 80


def sample() -> list[str]:
    from scoring.train.sources import SOURCES, load_all
    from tests.scoring.texts import case_texts

    rows = load_all(ROOT / "data" / "scorer")
    rng = random.Random(15)
    texts: list[str] = []
    for source in SOURCES:
        texts += rng.sample([r.text for r in rows if r.source == source], _PER_SOURCE)
    texts += case_texts()
    return texts


def result(scorer, text: str) -> dict:
    r = scorer.score(text)
    return {
        "categories": r.categories,
        "alert": r.alert,
        "matches": [[m.category, m.start, m.end] for m in r.matches],
    }


def expected() -> list[dict]:
    with EXPECTED.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def scorer():
    from scoring import default_scorer

    return default_scorer()


def test_the_sample_is_the_committed_one():
    assert [row["text"] for row in expected()] == sample()


# (A missing file fails the test above, not the collection.)
@pytest.mark.parametrize(
    "row",
    expected() if EXPECTED.exists() else [],
    ids=lambda row: row["text"][:30].replace(" ", "_"),
)
def test_it_scores_as_committed(scorer, row):
    got = result(scorer, row["text"])
    assert got["alert"] == row["alert"]
    assert got["matches"] == row["matches"]
    assert got["categories"] == pytest.approx(row["categories"], abs=1e-9)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    sys.path.append(str(ROOT))
    from scoring import default_scorer

    scoring_now = default_scorer()
    with EXPECTED.open("w", encoding="utf-8") as f:
        for text in sample():
            f.write(json.dumps({"text": text, **result(scoring_now, text)}) + "\n")
