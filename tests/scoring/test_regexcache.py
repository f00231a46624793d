"""The lexicons' patterns read back from the regex cache are the patterns compiled anew.

``scoring.regexcache`` keeps the engine's code of every lexicon pattern between processes
(in the package's ``__pycache__``). A pattern rebuilt from the file must be the same
object as one compiled from its source: ``re.Pattern.__eq__`` compares the flags, the
source and the engine's code word by word. Each test here points the cache at its own
directory and starts from an empty state, as a fresh process does.
"""

import base64
import re
from re import _compiler, _parser

import pytest

from scoring import default_scorer, regexcache
from scoring.alternation import _rewrite, compile_factored
from scoring.lexicon import _compile, load_lexicons


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache in ``tmp_path`` (what a new process with no file sees)."""
    monkeypatch.setattr(regexcache, "DIRECTORY", tmp_path)
    monkeypatch.setattr(regexcache, "_loaded", None)
    monkeypatch.setattr(regexcache, "_used", {})
    monkeypatch.setattr(regexcache, "_new", False)
    return tmp_path


def restart(monkeypatch) -> None:
    """Another process: nothing loaded, nothing used (the file stays)."""
    monkeypatch.setattr(regexcache, "_loaded", None)
    monkeypatch.setattr(regexcache, "_used", {})
    monkeypatch.setattr(regexcache, "_new", False)


def factored_reference(source: str) -> re.Pattern[str]:
    """compile_factored as it was before the cache: the rewritten tree compiled."""
    tree = _parser.parse(source)
    tree.data = _rewrite(tree.data, tree.state, expand=True)
    return _compiler.compile(tree)


def never(source: str):
    raise AssertionError(f"compiled again although cached: {source[:60]!r}")


def sources() -> tuple[list[str], list[str]]:
    """(the factored sources: every lexicon and every gate phrase; the plain ones: every
    lexicon entry's own pattern)."""
    scorer = default_scorer()
    factored = [lx.source for lx in scorer.lexicons.by_name.values()]
    factored += sorted({p.source for found in scorer._phrases.values() for _, p in found})
    plain = [s for lx in scorer.lexicons.by_name.values() for s in lx.entry_sources]
    return factored, plain


def test_every_pattern_read_back_is_the_pattern_compiled(cache, monkeypatch):
    factored, plain = sources()
    cold = [compile_factored(s) for s in factored] + [regexcache.plain(s) for s in plain]
    assert cold[: len(factored)] == [factored_reference(s) for s in factored]
    assert cold[len(factored) :] == [re.compile(s) for s in plain]
    assert all(p.pattern is None for p in cold[: len(factored)])
    regexcache._write()
    path = regexcache.cache_path()
    assert path is not None and path.parent == cache and path.stat().st_size > 0

    restart(monkeypatch)
    warm = [regexcache.compiled(s, never) for s in factored + plain]
    assert warm == cold
    assert [p.pattern for p in warm] == [p.pattern for p in cold]
    assert [p.groups for p in warm] == [p.groups for p in cold]
    assert regexcache._new is False  # nothing new: the file is not written again


def test_the_lexicons_loaded_from_the_cache_are_the_same(cache, monkeypatch):
    lexicons = load_lexicons()
    compiled = {n: _compile(n, list(lx.entries)).pattern for n, lx in lexicons.by_name.items()}
    regexcache._write()
    restart(monkeypatch)
    again = {n: _compile(n, list(lx.entries)).pattern for n, lx in lexicons.by_name.items()}
    assert set(regexcache._used) >= {lx.source for lx in lexicons.by_name.values()}
    assert again == compiled
    assert again == {n: lx.pattern for n, lx in lexicons.by_name.items()}
    norm = "i'm going to kill him tomorrow at school, lol not really"
    for name, pattern in again.items():
        assert [m.span() for m in pattern.finditer(norm)] == [
            m.span() for m in re.compile(lexicons[name].source).finditer(norm)
        ]


def test_an_edited_source_is_compiled_not_served_stale(cache, monkeypatch):
    old = r"(?<!\w)(?:kill|shoot)(?:(?<=\W)|(?!\w))"
    new = r"(?<!\w)(?:kill|stab)(?:(?<=\W)|(?!\w))"
    compile_factored(old)
    regexcache._write()
    restart(monkeypatch)
    found = compile_factored(new)
    assert found == factored_reference(new)
    assert found.search("i will stab") is not None and found.search("i will shoot") is None
    assert regexcache._new is True


@pytest.mark.parametrize(
    "content",
    [b"", b"not json at all", b"\x00" * 64, b"[1, 2]", b'{"format": 1, "patterns": [3]}'],
    ids=["empty", "garbage", "zeros", "a list", "no mapping"],
)
def test_a_damaged_file_is_ignored(cache, monkeypatch, content):
    source = r"(?<!\w)(?:kill|shoot|stab)\w*"
    path = regexcache.cache_path()
    path.write_bytes(content)
    assert compile_factored(source) == factored_reference(source)


def test_a_damaged_record_is_compiled_again(cache, monkeypatch):
    source = r"(?<!\w)(?:kill|shoot|stab)\w*"
    reference = factored_reference(source)
    compile_factored(source)
    pattern, flags, code, groups = regexcache._used[source]
    words = base64.b64decode(code)
    # the engine's code cut short (_sre.compile refuses it), not base64, not a record
    for damaged in (
        (pattern, flags, base64.b64encode(words[:-8]).decode(), groups),
        (pattern, flags, "not base64!", groups),
        (pattern, flags, code, "1"),
        [1, 2],
    ):
        regexcache._used[source] = damaged
        regexcache._write()
        restart(monkeypatch)
        assert compile_factored(source) == reference
        assert regexcache._used[source][2] == code


def test_a_read_only_directory_is_left_alone(tmp_path, monkeypatch):
    missing = tmp_path / "not-a-directory"
    missing.write_text("a file where the directory should be")
    monkeypatch.setattr(regexcache, "DIRECTORY", missing)
    restart(monkeypatch)
    source = r"(?<!\w)(?:gun|knife)s?"
    assert compile_factored(source) == factored_reference(source)
    regexcache._write()  # cannot write: no error, nothing written
    assert missing.read_text() == "a file where the directory should be"


def test_a_source_the_rewrite_leaves_alone_keeps_its_text(cache, monkeypatch):
    source = r"(kill)\s+(\w+)"  # capture groups: compiled as written
    found = compile_factored(source)
    assert found == re.compile(source) and found.pattern == source and found.groups == 2
    regexcache._write()
    restart(monkeypatch)
    again = regexcache.compiled(source, never)
    assert again == re.compile(source) and again.pattern == source
    assert again.match("kill them").groups() == ("kill", "them")


def test_named_groups_are_compiled_as_usual_and_not_kept(cache, monkeypatch):
    source = r"(?P<verb>kill|shoot) (?P<whom>\w+)"
    found = regexcache.plain(source)
    assert found == re.compile(source) and found.groupindex == {"verb": 1, "whom": 2}
    assert source not in regexcache._used


def test_re_escape_leaves_every_letter_and_digit_alone():
    # lexicon.compile_phrase writes letters and digits as they are, without re.escape:
    # the same source only while re.escape changes none of them
    changed = [c for c in map(chr, range(0x110000)) if c.isalnum() and re.escape(c) != c]
    assert changed == []
