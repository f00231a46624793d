"""The learned scorer's contract: JSON fields and ranges, spans into the original text,
explanations by n-gram, the model's version, and a runtime free of Django and of the
training stack."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import CATEGORIES, SEVERITIES, Scorer, default_scorer, load_model, score_text
from scoring.features import grams, token_spans

ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    "I’m going to shoot up the school tomorrow 🔫",
    "you are so ugly, nobody likes you, go away loser",
    "i just want to die, nothing is getting better and i have the pills",
    "k1ll yourself you fr3ak",
    "RT @someone: this chem test is KILLING me 😂 https://t.co/x",
    "İstanbul is lovely; Straße; ¿qué pasa? «hola» — mañana",
    "",
    "a" * 5000,
]


@pytest.mark.parametrize("text", TEXTS)
def test_it_keeps_the_json_contract_and_spans_index_the_original_text(text):
    d = score_text(text).to_dict(id="p")
    assert list(d) == ["id", "score", "severity", "categories", "alert", "matches"]
    assert set(d["categories"]) == set(CATEGORIES)
    assert all(0.0 <= v <= 1.0 for v in d["categories"].values())
    assert d["score"] == max(d["categories"].values())
    assert d["severity"] in SEVERITIES
    assert d["alert"] == (d["score"] >= 0.5)
    for m in d["matches"]:
        assert list(m) == ["category", "phrase", "start", "end"]
        assert m["category"] in CATEGORIES
        assert 0 <= m["start"] < m["end"] <= len(text)
        assert text[m["start"] : m["end"]] == m["phrase"]
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d


def test_it_explains_a_learned_score_with_the_ngrams_that_raised_it():
    # No lexicon phrase here: only the learned tier can explain it.
    text = "lmao you are such a pathetic ugly little loser, everyone at school hates you"
    result = score_text(text)
    assert result.categories["bullying"] >= 0.5
    learned = [r for r in result.reasons if r.startswith("bullying: n-gram")]
    assert learned, result.reasons
    shown = {m.phrase.lower() for m in result.matches if m.category == "bullying"}
    contributions = dict(default_scorer().model.contributions(grams(text), "bullying"))
    assert shown and all(contributions[p.encode()] > 0.0 for p in shown if " " not in p)


def test_it_finds_ngram_spans_whatever_the_case_and_spacing():
    text = "He said KILL   you. skill you"
    assert list(token_spans(text, "kill you")) == [(8, 18)]
    assert list(token_spans(text, "kill")) == [(8, 12)]


def test_it_drops_platform_noise_from_features():
    found = grams("RT @bob: I’ll KILL you &amp; https://t.co/abc")
    assert {b"i'll", b"kill", b"you", b"i'll kill", b"kill you"} <= found
    assert not any(b"bob" in g or b"http" in g or b"amp" in g or g == b"rt" for g in found)


def test_it_names_the_model_it_scores_with():
    scorer = Scorer()
    assert scorer.model_version == load_model().version
    assert scorer.model_version.startswith("harm-") and len(scorer.model_version) == 17
    assert scorer.model.heads == ("violence", "self_harm", "bullying")


def test_the_shipped_model_is_read_once_however_its_path_is_spelled():
    from scoring.learned import DEFAULT_MODEL

    shipped = load_model()
    assert load_model(None) is shipped
    assert load_model(str(DEFAULT_MODEL)) is shipped
    assert Scorer().model is shipped


def test_it_scores_with_another_model_artifact(tmp_path):
    with pytest.raises(ValueError, match="no model"):
        Scorer(model_path=tmp_path / "missing.json.gz")


def test_the_scoring_package_needs_neither_django_nor_the_training_stack():
    code = (
        "import sys, scoring\n"
        "r = scoring.score_text('I am going to hurt you tomorrow')\n"
        "assert 0.0 <= r.score <= 1.0\n"
        "bad = [m for m in ('django', 'sklearn', 'numpy', 'scipy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
