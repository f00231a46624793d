"""The compiled learned tier (``scoring._speedups``) gives what the pure-Python one gives.

The pure-Python path (``features.grams`` + ``LearnedModel.logits``, ``Scorer(compiled=
False)``) is the reference: both are run on every committed text, on hand-made hostile
inputs and on random strings, and must agree (logits within 1e-9: only the order of the
float additions differs; the marks and the one-word test exactly; whole results as
``bench/score_before_after.py`` compares them). Where the extension is not built these
tests skip, except in CI (``CI=true``), where that is a failure: CI always tests the
compiled path.
"""

import json
import os
import random
import subprocess
import sys
import threading
from array import array

import pytest

from scoring import Scorer
from scoring.features import grams, tokens, translated
from scoring.learned import COMPILED
from scoring.scorer import _ANCHOR, _GATE, _MIN_CONTRIBUTION
from scoring.train.sources import load_all
from tests.scoring.texts import ROOT, committed_texts


def test_the_extension_is_built_in_ci():
    """CI measures and tests the compiled path: a missing build fails there."""
    if os.environ.get("CI") == "true":
        assert COMPILED, "scoring._speedups is not built (make install builds it)"
    elif not COMPILED:
        pytest.skip("scoring._speedups is not built here (make install builds it)")


needs_build = pytest.mark.skipif(
    not COMPILED and os.environ.get("CI") != "true",
    reason="scoring._speedups is not built (make install builds it)",
)


@pytest.fixture(scope="module")
def scorers():
    return Scorer(compiled=False), Scorer()


HOSTILE = [
    "",
    " ",
    "\t\n\r\x0b\x0c",
    "rt",
    "rt rt rt",
    "RT @someone: rt i will kill you rt",
    "kill\x00you",
    "\x00\x00\x00",
    "i will\x00 kill\x00\x00you\x00",
    "kill " * 100_000,
    " ".join(f"word{i} kill you" for i in range(30_000)),
    "a" * 200_000,
    "k" + "i" * 50_000 + "ll",
    "'" * 1000,
    "'kill' 'you' ''' '' ' i'll kill'em",
    "I’ll kill you ‘tomorrow’",
    "🔫🔫🔫 at school tomorrow",
    "i want to die 😭😭😭",
    "👨‍👩‍👧‍👦 family day",
    "te voy a matar mañana en la escuela",
    "¿Quién quiere morir? ¡Nadie!",
    "ＫＩＬＬ ｙｏｕ",
    "İstanbul kill you",
    "ǅemal will shoot",
    "κill yοu",
    "kill\u200byou",
    "kill\u00a0you tomorrow",
    "https://example.com/kill you @handle &amp; www.kill.com",
    "&#39;kill&#39; you",
    "x" * 10 + "\u2028" + "gun",
    "gun",
    "guns guns",
    "shoot shoot shoot shoot",
    "ar15 at school",
    "\x1c\x1d\x1e\x1fkill\x85you",
    "KILL YOU RT",
    " + 'killyou    i'll'",
    "can't won't 'sup o'clock rock'n'roll '",
    "ww.w. ://x :/ / w.ww ww w.",
    "WWW. kill",
    "\u212a\u212aK kill",  # KELVIN SIGN: lower-cases to ASCII
    "\u2019\u2019\u2019kill\u2019\u2019 \u2018you\u2018 i\u02bcll",
    "\u00a0\u00bf\u00c0\u3000\ufe0f\ufe0e\u2026\u2190\u27bf\u2800 kill",
    "stra\u00dfe \u00c9COLE \u0130stanbul \u03a3\u039f\u03a3",
    "kill\U0001f52b\U0001f52byou \U0001f1fa\U0001f1f8",
    "k\u00efll http://x.com",
    "\u2019@you",
]


# Platform noise (links, handles, entities) that the C code removes as features._NOISE does.
NOISE = [
    "@kill you",
    "kill &amp; you",
    "http://x",
    "WwW.kill.com",
    "http://",
    "https://",
    "http:// x",
    "httpS://X.com/it's kill",
    "HTTP://a\x1cb kill",
    "ahttp://x kill",
    "@",
    "@@x",
    "@_ kill",
    "a@b.c kill",
    "&#;",
    "&#12",
    "&#12x;",
    "&amp",
    "&AMP; kill",
    "&ampx",
    "&;",
    "&quot;kill&quot; you",
    "&lt;3 &gt;:( &lt &gt",
    "www.",
    "www. kill",
    "wwww.x kill",
    "www.\x1ckill",
    "it's @you's 'kill' https://t.co/x' '",
    "rt @user: kill you http://t.co/abc #tag",
]


def python_learned(scorer: Scorer, text: str) -> tuple[tuple[float, ...], int, bool]:
    features = grams(text)
    marks = (_ANCHOR if not scorer._anchors.isdisjoint(features) else 0) | (
        _GATE if not scorer._gate.isdisjoint(features) else 0
    )
    return scorer.model.logits(features), marks, len(features) <= 1


def compiled_learned(scorer: Scorer, text: str) -> tuple[tuple[float, ...], int, bool]:
    found = scorer._table.scan(translated(text))
    whole = scorer._table.scan_text(text)
    if whole is not None:  # translated in C: the same bytes, the same result
        assert whole[4] == translated(text)
        assert whole[:4] == found
    logits, marks, count, marked = found
    entries = {g: scorer._table.entry(g) for g in grams(text)}
    assert marked == {g for g, e in entries.items() if e is not None and e[1]}
    assert scorer._table.known(translated(text)) == grams(text) & scorer.model.vocabulary
    assert_same_contributions(scorer, text)
    return logits, marks & (_ANCHOR | _GATE), count <= 1


def same_ranking(a, b) -> bool:
    """The same n-grams in the same order, contributions within 1e-9 (the norm is summed
    in another order)."""
    return [g for g, _ in a] == [g for g, _ in b] and same_logits(
        [c for _, c in a], [c for _, c in b]
    )


def assert_same_contributions(scorer: Scorer, text: str) -> None:
    """Table.above against LearnedModel.contributions (the reference) for every head, at
    the scorer's floor, at 0 and with no floor at all."""
    model, features = scorer.model, grams(text)
    heads = list(range(len(model.heads)))
    for minimum in (_MIN_CONTRIBUTION, 0.0, float("-inf")):
        ranked = scorer._table.above(translated(text), heads, minimum)
        assert len(ranked) == len(heads)
        for head, got in zip(model.heads, ranked, strict=True):
            want = model.contributions(
                features, head, None if minimum == float("-inf") else minimum
            )
            assert same_ranking(got, want), (text, head, minimum)


def same_logits(a, b) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 1e-9 for x, y in zip(a, b, strict=True))


def same_result(a, b) -> bool:
    return (
        a.alert == b.alert
        and a.severity == b.severity
        and a.categories.keys() == b.categories.keys()
        and all(abs(a.categories[c] - b.categories[c]) <= 1e-9 for c in a.categories)
        and [(m.category, m.phrase, m.start, m.end) for m in a.matches]
        == [(m.category, m.phrase, m.start, m.end) for m in b.matches]
        and a.reasons == b.reasons
    )


@needs_build
def test_learned_tier_is_the_same_on_every_committed_text(scorers):
    plain, fast = scorers
    differ = []
    for text in committed_texts():
        a, b = python_learned(plain, text), compiled_learned(fast, text)
        if a[1:] != b[1:] or not same_logits(a[0], b[0]):
            differ.append(text)
    assert differ == []


@needs_build
def test_scores_are_the_same_on_committed_texts(scorers):
    plain, fast = scorers
    assert fast.compiled and not plain.compiled
    texts = committed_texts()
    # every third text (all of them: bench/score_before_after.py --python-path), and every
    # hand-written case
    cases = len(texts) - len(load_all(ROOT / "data" / "scorer"))
    texts = texts[::3] + texts[len(texts) - cases :]
    differ = [t for t in texts if not same_result(plain.score(t), fast.score(t))]
    assert differ == []


@needs_build
@pytest.mark.parametrize("text", HOSTILE + NOISE, ids=range(len(HOSTILE + NOISE)))
def test_hostile_inputs(scorers, text):
    plain, fast = scorers
    a, b = python_learned(plain, text), compiled_learned(fast, text)
    assert a[1:] == b[1:]
    assert same_logits(a[0], b[0])
    assert same_result(plain.score(text), fast.score(text))


@needs_build
@pytest.mark.parametrize("text", ["\ud800", "kill \udfff you", "a\ud83d"])
def test_lone_surrogates_score_alike(scorers, text):
    """A lone surrogate cannot be encoded: both paths read it as U+FFFD."""
    plain, fast = scorers
    replaced = text.translate(dict.fromkeys(range(0xD800, 0xE000), "\ufffd"))
    assert same_result(plain.score(text), fast.score(text))
    assert same_result(fast.score(text), fast.score(replaced))


@needs_build
def test_random_strings(scorers):
    """Random strings of model words, rt, quotes, whitespace of every kind, NULs and a few
    non-ASCII characters (emoji, accents): the two paths agree on each."""
    plain, fast = scorers
    rng = random.Random(7)
    vocabulary = sorted(g.decode() for g in plain.model.vocabulary)
    words = [w for w in vocabulary if " " not in w]
    pieces = [
        *rng.sample(words, 300),
        *(e.phrase for e in plain.lexicons["gate"].entries),
        "rt",
        "RT",
        "'",
        "’",
        "\x00",
        "\t",
        "\n",
        "\x0b",
        "\x0c",
        "\r",
        "\x1f",
        "\xa0",
        "🔫",
        "😭",
        "é",
        "ñ",
        "@x",
        "&amp;",
        "http://a.b/c",
        "@",
        "&",
        "&#",
        "&lt",
        "1",
        ";",
        "://",
        "www.",
        "HTTPS://",
        "\x1c",
        "_",
    ]
    seps = [" ", "  ", "", "\t", ",", ".", "'", "\x00", "-"]
    for _ in range(4000):
        n = rng.randint(0, 40)
        text = "".join(rng.choice(pieces) + rng.choice(seps) for _ in range(n))
        a, b = python_learned(plain, text), compiled_learned(fast, text)
        assert a[1:] == b[1:], text
        assert same_logits(a[0], b[0]), text
        assert same_result(plain.score(text), fast.score(text)), text


@needs_build
def test_the_index_holds_every_model_ngram_and_nothing_else(scorers):
    _, fast = scorers
    model = fast.model
    table = fast._table
    for row, gram in enumerate(model.rows):
        found = table.entry(gram)
        assert found is not None and found[0] == row, gram
        # a byte more, a byte less, a byte changed: not the same key
        for other in (gram + b"x", gram[:-1], b"\x00" + gram[1:], gram + b"\x00"):
            if other not in model.rows:
                got = table.entry(other)
                assert got is None or got[0] == -1, other
    assert table.entry(b"no-such-ngram-anywhere") is None
    marked = set(fast._anchors)
    for found in fast._phrases.values():
        marked |= {w for _, p in found for part in p.needs for w in part}
    assert len(table) == len(set(model.rows) | marked)
    for word in fast._gate:
        assert table.entry(word)[1] & (_ANCHOR | _GATE) == _ANCHOR | _GATE


@needs_build
def test_table_on_a_hand_made_model():
    """The index and the sums on a model small enough to check by hand: binary presence,
    bigrams across a dropped "rt", the norm, the bias when nothing is known."""
    from scoring import _speedups

    keys = [b"kill", b"you", b"kill you", b"i"]
    # idf**2, then two heads
    rows = [[4.0, 1.0, -1.0], [1.0, 0.5, 0.25], [9.0, 2.0, 0.0], [0.25, -0.5, 0.5]]
    values = array("d", [v for row in rows for v in row]).tobytes()
    table = _speedups.Table(keys, values, 3, (0.1, -0.2), 2.0, {b"kill": 1, b"gun": 2})
    norm = (4.0 + 1.0 + 9.0 + 2.0) ** 0.5
    logits, marks, count, marked = table.scan(b"kill rt you kill you")
    assert count == 4 and marks == 1 and marked == {b"kill"}
    assert table.known(b"kill rt you kill you") == {b"kill", b"you", b"kill you"}
    assert logits == pytest.approx((0.1 + (1.0 + 0.5 + 2.0) / norm, -0.2 + (-1.0 + 0.25) / norm))
    assert table.scan(b"") == ((0.1, -0.2), 0, 0, set())
    assert table.scan(b"gun") == ((0.1, -0.2), 2, 1, {b"gun"})
    assert table.known(b"gun") == set()
    assert table.scan(b"kill\x00you")[2] == 1  # a NUL is not whitespace (bytes.split)
    assert table.entry(b"gun") == (-1, 2)
    with pytest.raises(ValueError):
        _speedups.Table(keys, values[:-1], 3, (0.1, -0.2), 2.0, {})
    with pytest.raises(ValueError):
        _speedups.Table(keys, values, 3, (0.1,), 2.0, {})
    with pytest.raises(TypeError):
        _speedups.Table(["kill", *keys[1:]], values, 3, (0.1, -0.2), 2.0, {})
    with pytest.raises(TypeError):
        _speedups.Table(keys, values, 3, (0.1, -0.2), 2.0, {"gun": 2})
    with pytest.raises(TypeError):
        table.scan("kill you")
    with pytest.raises(TypeError):
        table.scan_text(b"kill you")
    with pytest.raises(TypeError):
        table.known("kill you")
    assert table.scan_text("KILL rt You, kill you!")[4] == b"kill rt you  kill you "
    # above: per head, the contributions reaching the floor, largest first
    text = b"kill rt you kill you i"
    norm = (4.0 + 1.0 + 9.0 + 0.25 + 2.0) ** 0.5
    first, second = table.above(text, [0, 1], 0.0)
    assert first == [(b"kill you", 2.0 / norm), (b"kill", 1.0 / norm), (b"you", 0.5 / norm)]
    assert second == [(b"i", 0.5 / norm), (b"you", 0.25 / norm), (b"kill you", 0.0)]
    # the floor is reached at equality (minimum * norm <= weight), as in Python
    assert table.above(text, [1], 0.5 / norm * norm / norm)[0][0][0] == b"i"
    assert table.above(text, [0], 1.0 / norm)[0] == [
        (b"kill you", 2.0 / norm),
        (b"kill", 1.0 / norm),
    ]
    assert table.above(text, [0, 1], float("-inf"))[1][-1] == (b"kill", -1.0 / norm)
    assert table.above(text, (), 0.0) == ()
    assert table.above(b"", [0, 1], float("-inf")) == ([], [])
    assert table.above(b"gun", [1], 0.0) == ([],)
    with pytest.raises(IndexError):
        table.above(text, [2], 0.0)
    with pytest.raises(IndexError):
        table.above(text, [-1], 0.0)
    with pytest.raises(TypeError):
        table.above("kill you", [0], 0.0)
    with pytest.raises(TypeError):
        table.above(text, 0, 0.0)
    # a quote that closes a word after another quote stays (bytes.replace's passes)
    assert translated("'kill' you''") == b"  kill  you'  "
    assert table.scan_text("'kill' you''") == (*table.scan(b"  kill  you'  "), b"  kill  you'  ")

    class Shouting(str):
        def lower(self):
            return self.upper()

    assert table.scan_text(Shouting("kill you")) is None  # a subclass: the Python path
    # not ASCII and noisy: translated in Python
    assert table.scan_text("kïll @you") is None
    assert table.scan_text("kïll") is not None
    for noisy in NOISE:
        assert table.scan_text(noisy)[4] == translated(noisy), noisy


@needs_build
def test_one_table_shared_between_threads(scorers):
    """A web process shares one scorer between threads: results do not depend on it."""
    plain, fast = scorers
    texts = committed_texts()[::50] + HOSTILE[:12]
    expected = [plain.score(t) for t in texts]
    failures: list[str] = []

    def work(offset: int) -> None:
        for i in range(len(texts)):
            j = (i + offset) % len(texts)
            if not same_result(expected[j], fast.score(texts[j])):
                failures.append(texts[j])

    threads = [threading.Thread(target=work, args=(k * 97,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_without_the_extension_the_scorer_warns_once_and_scores_alike(tmp_path):
    """Where the extension is not built: one clear warning at load, the pure-Python path,
    the same scores."""
    script = (
        "import sys, json\n"
        "sys.modules['scoring._speedups'] = None\n"  # as if it were not built
        "from scoring import Scorer\n"
        "from scoring.learned import COMPILED\n"
        "s = Scorer()\n"
        "r = s.score('i will shoot up the school tomorrow')\n"
        "print(json.dumps([COMPILED, s.compiled, r.categories]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    compiled, scorer_compiled, categories = json.loads(done.stdout)
    assert (compiled, scorer_compiled) == (False, False)
    assert done.stderr.count("scoring._speedups is not built") == 1
    reference = Scorer(compiled=False).score("i will shoot up the school tomorrow")
    assert categories == pytest.approx(reference.categories, abs=1e-12)


def test_tokens_are_the_split_of_translated():
    for text in [*HOSTILE[:10], "I'll kill 'em rt", "RT rt hello"]:
        assert tokens(text) == [t for t in translated(text).split() if t != b"rt"]


def test_score_posts_lines_are_the_json_encoders(scorers):
    """``score_posts`` writes each line without building its dictionary: the same
    characters as the JSON encoder of ``to_dict``, on every committed text (every third
    data row, every hand-written case) and ids of every JSON type."""
    from scoring.cli import _ENCODE, _line

    _, fast = scorers
    texts = committed_texts()
    cases = len(texts) - len(load_all(ROOT / "data" / "scorer"))
    ids = ["p-1", 7, None, 2.5, True, {"a": ["é", 1]}, 'quote " and \\ and \n', "ünï 🔫"]
    ids += [-12, 10**30, False, "", "\u2028 \x00 \ud83d", [1, "2"], -0.0]
    for i, text in enumerate(texts[::3] + texts[len(texts) - cases :] + HOSTILE[:12]):
        record = {"id": ids[i % len(ids)], "text": text}
        result = fast.score(text)
        assert _line(result, record) == _ENCODE(result.to_dict(id=record["id"])) + "\n"
    # no "id" at all
    result = fast.score("i will shoot you")
    assert _line(result, {}) == _ENCODE(result.to_dict(id=None)) + "\n"
    # a score that is not a number (never made: sigmoids) falls back to the encoder
    odd = type(result)(
        score=0.5,
        severity="medium",
        categories={**result.categories, "weapons": float("nan")},
        alert=True,
        matches=result.matches,
    )
    assert _line(odd, {"id": 1}) == _ENCODE(odd.to_dict(id=1)) + "\n"


@needs_build
def test_above_ranks_ties_by_the_bytes_and_grows_past_its_first_room():
    """Equal contributions are ranked by the n-gram's bytes (a prefix first), as
    ``LearnedModel.contributions`` sorts; a post with more known n-grams than the first
    room for them (256) ranks them all."""
    from scoring import _speedups

    keys = [b"b", b"a", b"ab", b"a b", b"b a"]
    words = [f"w{i}".encode() for i in range(600)]
    keys += words
    rows = [[1.0, 0.5]] * 5 + [[1.0, float(i % 7)] for i in range(600)]
    values = array("d", [v for row in rows for v in row]).tobytes()
    table = _speedups.Table(keys, values, 2, (0.0,), 1.0, {})
    norm = (5.0 + 1.0) ** 0.5
    (ranked,) = table.above(b"b a b ab", [0], 0.0)
    assert ranked == [(g, 0.5 / norm) for g in (b"a", b"a b", b"ab", b"b", b"b a")]
    text = b" ".join(words)
    (ranked,) = table.above(text, [0], 0.0)
    norm = (600.0 + 1.0) ** 0.5
    want = sorted(((w, (i % 7) / norm) for i, w in enumerate(words)), key=lambda x: (-x[1], x[0]))
    assert ranked == want


@needs_build
def test_the_obfuscation_test_is_the_regexes_on_every_committed_text_and_random_ascii():
    """``_speedups.obfuscated`` (ASCII texts) against ``scorer._obfuscated`` (the three
    regexes on the lower-cased text): committed texts, hand cases at every edge of the
    patterns, and random strings of letters of both cases, leet characters, separators."""
    from scoring import _speedups
    from scoring.scorer import _OBFUSCATION_SPAN, _obfuscated

    def same(text: str) -> None:
        got = _speedups.obfuscated(text, _OBFUSCATION_SPAN)
        if text.isascii() and type(text) is str:
            assert got is _obfuscated(text), text
        else:
            assert got is None, text

    for text in committed_texts():
        same(text)
    edges = [
        "",
        "a",
        "aaa",
        "aAa",
        "AAA",
        "aa",
        "k1ll",
        "k1",
        "1ll",
        "k!!!x",
        "k!!!",
        "k!!!1",
        "x@y",
        "@y",
        "e|f",
        "a$",
        "a1\n",
        "k i l",
        "k i l l",
        "ki l l",
        "k i lx",
        "k.i-l",
        "k_i*l",
        "k\ti\tl",
        "k  i l",
        "1 i l",
        "K I L",
        "K.I.L",
        "x k i l",
        "xk i l",
        "a b c" + "d",
        "3a",
        "a" * 499 + "1b",
        "z" * 498 + "xyz" + "aaa",
        "k1ll" * 126,
        "a" * 501,
        "\x00aaa",
        "a\x00a\x00a",
        "a b",
        "a b c",
    ]
    for text in edges:
        same(text)
    same("k1ll é")  # not ASCII: None
    same("K" * 3 + "\u212a")  # Kelvin sign lower-cases to "k": the Python path

    class Text(str):
        pass

    same(Text("k1ll"))
    rng = random.Random(11)
    alphabet = "aAbBkKlLiI0135@$!| .-_*\t\n,'x"
    for _ in range(20000):
        same("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))))
    for _ in range(200):
        same("".join(rng.choice(alphabet) for _ in range(rng.randint(480, 520))))
    with pytest.raises(TypeError):
        _speedups.obfuscated(b"k1ll", _OBFUSCATION_SPAN)
