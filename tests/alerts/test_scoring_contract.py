"""The JSON contract, school relevance and the lexicon files."""

import json
from pathlib import Path

import pytest

from scoring import (
    CATEGORIES,
    SEVERITIES,
    LexiconError,
    Scorer,
    load_lexicons,
    school_relevance,
    score_text,
)
from scoring.lexicon import DEFAULT_DIR, compile_phrase

SCHOOL = ["Lincoln High", "Lincoln", "Lions", "@lincolnhs", "Room 204"]


def test_it_serializes_exactly_the_contract():
    d = score_text("I'm going to shoot up the school tomorrow").to_dict(id="post-7")
    assert list(d) == ["id", "score", "severity", "categories", "alert", "matches"]
    assert d["id"] == "post-7"
    assert 0.0 <= d["score"] <= 1.0
    assert d["severity"] in SEVERITIES
    assert (
        set(d["categories"]) == set(CATEGORIES) == {"violence", "self_harm", "bullying", "weapons"}
    )
    assert all(0.0 <= v <= 1.0 for v in d["categories"].values())
    assert d["alert"] is True
    assert d["matches"]
    for m in d["matches"]:
        assert list(m) == ["category", "phrase", "start", "end"]
        assert m["category"] in CATEGORIES
    assert json.loads(json.dumps(d)) == d


def test_it_derives_severity_from_score_and_alert_from_threshold():
    for text in ["hello", "shoot", "I'm going to kill you", "I'm going to kill myself tonight"]:
        r = score_text(text)
        assert r.alert == (r.score >= Scorer().threshold)
        assert r.score == max(r.categories.values())


def test_it_finds_school_terms_with_spans():
    text = "Lincoln H1gh is the worst, see @LincolnHS and the lions den"
    rel = school_relevance(text, SCHOOL)
    assert rel.relevant and rel.score == 1.0
    found = {(m.term.lower(), m.kind) for m in rel.matches}
    assert ("lincoln h1gh", "term") in found
    assert ("@lincolnhs", "term") in found
    for m in rel.matches:
        assert text[m.start : m.end] == m.term


def test_it_matches_school_terms_as_whole_words():
    assert not school_relevance("moving to Lincolnshire next year", ["Lincoln"]).relevant
    assert school_relevance("see you in room 204", SCHOOL).relevant


def test_it_treats_generic_school_words_as_weaker_relevance():
    generic = school_relevance("I hate my school", SCHOOL)
    none = school_relevance("nice weather today", SCHOOL)
    assert 0.0 < generic.score < 1.0 and generic.matches[0].kind == "generic"
    assert none.score == 0.0 and not none.relevant


def test_it_raises_violence_when_a_threat_names_the_school():
    plain = score_text("I'm going to shoot people")
    named = score_text("I'm going to shoot people at Lincoln", school_terms=SCHOOL)
    generic = score_text("I'm going to shoot people at my school")
    assert named.categories["violence"] > plain.categories["violence"]
    assert generic.categories["violence"] > plain.categories["violence"]
    assert named.relevance is not None and named.relevance.relevant


def test_it_loads_every_shipped_lexicon_file():
    lex = load_lexicons()
    for name in ("violence", "weapons", "self_harm", "bullying", "idiom", "negation"):
        assert lex[name].entries, name
    assert lex.emoji["🔫"] == "gun"
    for path in DEFAULT_DIR.glob("*.txt"):
        assert path.read_text(encoding="utf-8").startswith(("#", "Lexicons")), path.name


def test_it_reports_a_bad_lexicon_line_with_file_and_line(tmp_path: Path):
    for path in DEFAULT_DIR.glob("*.txt"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with (tmp_path / "violence.txt").open("a", encoding="utf-8") as f:
        f.write("heavy kill\n")
    with pytest.raises(LexiconError, match=r"violence\.txt:\d+"):
        load_lexicons(tmp_path)


def test_it_compiles_the_phrase_syntax():
    import re

    pattern = re.compile(compile_phrase("cut _ (throat|throats)"))
    assert pattern.search("i will cut their throats")
    assert not pattern.search("cut the cake")
    kill = re.compile(compile_phrase("kill*"))
    assert kill.search("kil") and kill.search("killing") and not kill.search("skill")


def test_it_reads_lexicon_sections_and_the_end_of_sentence_mark(tmp_path: Path):
    import re

    lex = load_lexicons()
    kinds = {e.kind for e in lex["self_harm"].entries}
    assert {"farewell", "means", "burden", "act", "timing"} <= kinds
    done = re.compile(compile_phrase("i'm done$"))
    assert done.search("I have a rope and i'm done") and done.search("i'm done. bye")
    assert not done.search("i'm done with my homework")
    for path in DEFAULT_DIR.glob("*.txt"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with (tmp_path / "self_harm.txt").open("a", encoding="utf-8") as f:
        f.write("[not a section\n")
    with pytest.raises(LexiconError, match=r"self_harm\.txt:\d+: '\[section\]' expected"):
        load_lexicons(tmp_path)
