"""The rule tier's gate: it reads every text where a core phrase could match, and spares
the many where none can."""

import pytest

from scoring import default_scorer
from scoring.anchors import core_anchors
from scoring.rules import CORE_CATEGORIES
from scoring.train.sources import load_all
from tests.scoring.texts import ROOT, case_texts


@pytest.fixture(scope="module")
def sample():
    rows = load_all(ROOT / "data" / "scorer")
    return [r.text for r in rows[::10]] + case_texts()


def test_no_text_with_a_core_phrase_lacks_an_anchor(sample):
    scorer = default_scorer()
    missed = []
    for text in sample:
        outcome = scorer.rules.run(text)
        if not outcome.evidence:
            continue
        features = scorer.features(text)
        obfuscated_or_emoji = scorer.is_candidate(text, set(), (-9.0,) * 3)
        if scorer._anchors.isdisjoint(features) and not obfuscated_or_emoji:
            missed.append(text[:80])
        scanned = scorer._scanned(text, features)
        if scorer.rules.run(text, categories=scanned).evidence != outcome.evidence:
            missed.append(text[:80])  # a lexicon left unscanned would have matched
    # one in a thousand at most: a phrase whose every content word is optional
    assert len(missed) <= len(sample) // 1000, missed[:5]


def test_the_gate_spares_most_ordinary_texts(sample):
    scorer = default_scorer()
    read = 0
    for text in sample[:3000]:
        features = scorer.features(text)
        calibrated = scorer.model.calibrated(scorer.model.logits(features))
        read += scorer.is_candidate(text, features, calibrated)
    assert read / 3000 < 0.6


def test_anchors_are_content_words_and_prefixes():
    words, prefixes = core_anchors(default_scorer().lexicons)
    assert {b"kill", b"kys", b"suicide", b"gun", b"matar"} <= words
    assert b"the" not in words and b"you" not in words
    assert b"self" in prefixes


def test_a_common_anchor_without_a_phrase_is_not_read():
    # "like", "see", "where" and "take" anchor phrases ("where i'm going", "take them
    # all"), but none of those phrases is here: the rules would find nothing.
    scorer = default_scorer()
    for text in ("i like to see where this goes", "take care, see you at the game"):
        features = scorer.features(text)
        calibrated = scorer.model.calibrated(scorer.model.logits(features))
        assert not scorer.is_candidate(text, features, calibrated), text
        assert scorer.rules.run(text).evidence == ()


def test_a_phrase_glued_to_an_optional_group_is_still_read():
    # "deserve todie": the anchor "die" is no token here, the phrase still matches.
    scorer = default_scorer()
    text = "Women like you deserve todie"
    features = scorer.features(text)
    assert scorer._scanned(text, features) == ("bullying",)
    assert scorer.score(text).alert


def test_a_word_glued_to_an_apostrophe_is_read():
    scorer = default_scorer()
    for text in ("KILL'EM ALL!!", "KILL\u2019EM ALL!!"):
        features = scorer.features(text)
        assert "violence" in scorer._scanned(text, features), text


DISGUISED_CASES = [
    "k1ll y0u",
    "i will k i l l you tomorrow",
    "gonna sh00t up the school",
    "killllll them all",
    "🔫 at school tmrw",
    "🔪🔪 watch your back",
    "i want to d i e",
    "kys lmaooo",
    "KILL_THEM all lolll",
    "i'm gonna kill'em alll",
    "www.example.com/buy-a-pistol-now and shoot",
    "https://t.co/x attacks on the school https://t.co/y",
    "suuuuicide is on my mind",
    "sooo tired of this, i want to end it all",
    "hahahaha that game was sick, we killed it",
]


def test_a_disguised_text_is_read_in_every_lexicon_where_a_phrase_matches():
    """Obfuscated or emoji texts are read only in the core lexicons where a raising
    phrase of an anchor of theirs is found in the normalized text (Scorer._disguised_plan):
    on every committed disguised text and hand cases, the evidence is what scanning every
    core lexicon gives."""
    scorer = default_scorer()
    texts = load_all(ROOT / "data" / "scorer")
    every_text = [r.text for r in texts] + case_texts() + DISGUISED_CASES
    disguised = [t for t in every_text if scorer._disguised(t)]
    assert len(disguised) > 5000
    missed, planned = [], 0
    for text in disguised:
        scanned, normalized = scorer._scan_plan(text, scorer.features(text), True)
        planned += len(scanned)
        every = scorer.rules.run(text, categories=CORE_CATEGORIES).evidence
        read = scorer.rules.run(text, categories=scanned, normalized=normalized).evidence
        if read != every:
            missed.append(text[:80])
    assert missed == []
    # most are disguised by a stretched letter or a link's "www", with no phrase at all
    assert planned < len(disguised) * len(CORE_CATEGORIES) // 10
    for text in DISGUISED_CASES[:8]:
        assert scorer._scan_plan(text, scorer.features(text), True)[0], text
