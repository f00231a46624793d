"""Loading the readable lexicon files and compiling them to a few regexes.

Contract: ``load_lexicons(directory)`` reads every ``*.txt`` of the directory (format in
``lexicons/README.txt``), and returns a :class:`Lexicons` holding one compiled
:class:`Lexicon` per file plus the emoji map. Each lexicon is ONE regex (an alternation
of its entries, factored by first characters: alternation.py) so a text is scanned once
per lexicon; which entry matched is found only for the few matches (``Lexicon``).

The phrase syntax is translated here; the translation is deliberately small so the files
stay readable by a district admin, not only by programmers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .alternation import compile_factored
from .regexcache import plain

__all__ = [
    "DEFAULT_DIR",
    "WORD_START",
    "Entry",
    "Hit",
    "Lexicon",
    "LexiconError",
    "Lexicons",
    "compile_phrase",
    "load_lexicons",
]

DEFAULT_DIR = Path(__file__).resolve().parent / "lexicons"

CORE = ("violence", "weapons", "self_harm", "bullying")
CONTEXT = (
    "intent",
    "desire",
    "target",
    "school",
    "time",
    "means",
    "weapon_action",
    "negation",
    "counter",
    "reported",
    "fiction",
    "hyperbole",
    "mundane",
    "idiom",
    "objects",
    "insult",
    "incite",
    "firsthand",
    "news",
    "return",
    "earnest",
    "gate",
)

_WORD_START = r"(?<!\w)"
# Every compiled phrase opens with it (see compile_phrase).
WORD_START = _WORD_START
# At most this many (match, next character) -> entry answers are remembered per lexicon.
_WHICH_CACHE = 50_000
# "$" in a phrase: the clause ends there ("i'm done$" is not "i'm done with homework").
_CLAUSE_END = r"(?=[\s,]*(?:[.!?;,\n]|$))"
# A gap of up to three words ("cut _ throat" -> "cut their gay throats").
_GAP = r"\W+(?:[\w']+\W+){0,3}"


class LexiconError(ValueError):
    """A lexicon file line could not be parsed or compiled; names file and line."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon line: its weight, the phrase as written, where it came from.

    ``kind`` is the ``[section]`` the line sits under ("" outside any section): in
    self_harm.txt it names the warning sign (farewell, means, burden...) so that distinct
    signs in one post can compound.
    """

    weight: float
    phrase: str
    source: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    """An entry found in a normalized string, with its half-open span there."""

    entry: Entry
    start: int
    end: int


@dataclass(frozen=True)
class Lexicon:
    """The entries of one file compiled into a single regex.

    ``pattern`` has no capture groups and one shared word-start guard: Python's regex
    engine scans such an alternation several times faster than one with a group per
    entry. It is compiled from ``source`` rewritten as a trie of first characters
    (alternation.py: the same matches, two to four times faster to scan). Which entry
    matched is found afterwards, only for the (rare) matches, by trying the entries in
    the same order (longest phrase first) at the match position.
    """

    name: str
    entries: tuple[Entry, ...]
    pattern: re.Pattern[str] = field(repr=False)
    source: str = field(repr=False)  # the alternation as written, before factoring
    # One regex source per entry, compiled on first use (only to tell which entry a
    # match belongs to): compiling them all up front doubled a process's start.
    entry_sources: tuple[str, ...] = field(repr=False)
    # (matched text, next character) -> entry; None for lexicons with "$" entries,
    # whose match depends on more than the next character.
    _which: dict[tuple[str, str], Entry] | None = field(repr=False, default=None)
    _compiled: dict[int, re.Pattern[str]] = field(repr=False, default_factory=dict)

    @property
    def entry_patterns(self) -> tuple[re.Pattern[str], ...]:
        """Every entry's own regex (with the word-start guard), in entry order."""
        return tuple(self._entry_pattern(i) for i in range(len(self.entry_sources)))

    def _entry_pattern(self, i: int) -> re.Pattern[str]:
        found = self._compiled.get(i)
        if found is None:
            found = self._compiled[i] = plain(self.entry_sources[i])
        return found

    def finditer(self, norm: str, pos: int = 0, endpos: int | None = None) -> Iterator[Hit]:
        """Non-overlapping hits, left to right; longer phrases win at the same start."""
        end = len(norm) if endpos is None else endpos
        which = self._which
        for m in self.pattern.finditer(norm, pos, end):
            start, stop = m.start(), m.end()
            # Which entry matched depends on the matched text and, through the
            # end-of-word guard, on the character after it; "$" entries look further.
            key = (m.group(), norm[stop : stop + 1] if stop < end else "")
            entry = which.get(key) if which is not None else None
            if entry is None:
                entry = self.entries[0]
                for i, e in enumerate(self.entries):
                    found = self._entry_pattern(i).match(norm, start, end)
                    if found is not None and found.end() == stop:
                        entry = e
                        break
                if which is not None and len(which) < _WHICH_CACHE:
                    which[key] = entry
            while stop > start and not norm[stop - 1].isalnum():
                stop -= 1  # a phrase may end on a separator; spans should not
            yield Hit(entry, start, stop)

    def best(self, norm: str, pos: int = 0, endpos: int | None = None) -> Hit | None:
        """The hit with the largest absolute weight in ``norm[pos:endpos]``, or None."""
        best: Hit | None = None
        for hit in self.finditer(norm, pos, endpos):
            if best is None or abs(hit.entry.weight) > abs(best.entry.weight):
                best = hit
        return best


@dataclass(frozen=True)
class Lexicons:
    """Every lexicon by file name (without ``.txt``) and the emoji map."""

    by_name: Mapping[str, Lexicon]
    emoji: Mapping[str, str]
    directory: Path

    def __getitem__(self, name: str) -> Lexicon:
        return self.by_name[name]

    def short_words(self) -> frozenset[str]:
        """Three-letter words of the core lexicons ("die", "kys"): the normalizer joins
        them when spelled out ("d i e") but leaves chat shorthand ("u r a") alone."""
        words: set[str] = set()
        for name in CORE:
            for entry in self.by_name[name].entries:
                words.update(w for w in re.findall(r"[a-z]+", entry.phrase) if len(w) == 3)
        return frozenset(words)


def compile_phrase(phrase: str) -> str:
    """Translate one phrase of the lexicon syntax into a regex source (no groups kept).

    ``compile_phrase("kill*")`` gives ``(?<!\\w)kil{1,2}\\w*`` and an end-of-word guard.
    """
    text = phrase.strip().lower().replace(" _ ", "\x00")
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        prev = text[i - 1] if i else ""
        if ch == "\x00":
            out.append(_GAP)
        elif ch == " ":
            # Next to an optional group the separator may sit inside the group
            # ("(really )?going"), so here it may be empty.
            after_opt = prev in "?*" and i >= 2 and text[i - 2] == ")"
            out.append(r"\W*" if after_opt or _opens_optional(text, i + 1) else r"\W+")
        elif ch == "(":
            out.append("(?:")
        elif ch in ")|?":
            out.append(ch)
        elif ch == "*":
            out.append("*" if prev == ")" else r"\w*")
        elif ch == "'":
            out.append("'?")
        elif ch == "$":
            out.append(_CLAUSE_END)
        elif ch.isalpha() and i + 1 < n and text[i + 1] == ch and _word_length(text, i) > 3:
            # a doubled letter also matches a single one: stretched letters are folded
            # to one by the normalizer ("killll" -> "kil"); not in a word of three
            # letters, where the single form is another word ("off" is not "of")
            out.append(re.escape(ch) + "{1,2}")
            i += 1
        else:
            # re.escape leaves letters and digits as they are (most of a phrase)
            out.append(ch if ch.isalnum() else re.escape(ch))
        i += 1
    # End on a word boundary: either the phrase consumed a separator, or no word follows.
    return _WORD_START + "".join(out) + r"(?:(?<=\W)|(?!\w))"


def _word_length(text: str, i: int) -> int:
    """The length of the run of letters around ``text[i]``."""
    lo = i
    while lo > 0 and text[lo - 1].isalpha():
        lo -= 1
    hi = i
    while hi < len(text) and text[hi].isalpha():
        hi += 1
    return hi - lo


def _opens_optional(text: str, i: int) -> bool:
    """True when ``text[i]`` opens a group that is followed by ``?`` or ``*``."""
    if i >= len(text) or text[i] != "(":
        return False
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1 < len(text) and text[j + 1] in "?*"
    return False


_SECTION = re.compile(r"\[([a-z_]+)\]")


def _parse(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    kind = ""
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = _SECTION.fullmatch(line)
            if section is None:
                raise LexiconError(f"{path.name}:{lineno}: '[section]' expected, got {line!r}")
            kind = section.group(1)
            continue
        weight_s, _, phrase = line.partition(" ")
        try:
            weight = float(weight_s)
        except ValueError as exc:
            raise LexiconError(f"{path.name}:{lineno}: weight expected, got {weight_s!r}") from exc
        if not phrase.strip():
            raise LexiconError(f"{path.name}:{lineno}: phrase missing")
        entries.append(Entry(weight, phrase.strip(), f"{path.name}:{lineno}", kind))
    return entries


def _compile(name: str, entries: list[Entry]) -> Lexicon:
    # Longer phrases first so "kill myself" wins over "kill" at the same position.
    ordered = sorted(entries, key=lambda e: len(e.phrase), reverse=True)
    bodies = [compile_phrase(e.phrase).removeprefix(_WORD_START) for e in ordered]
    source = _WORD_START + "(?:" + "|".join(bodies) + ")" if bodies else r"(?!x)x"
    try:
        pattern = compile_factored(source)
    except re.error:
        # Name the line at fault: only now is each entry compiled on its own.
        for e, body in zip(ordered, bodies, strict=True):
            try:
                re.compile(_WORD_START + body)
            except re.error as exc:
                raise LexiconError(f"{e.source}: cannot compile {e.phrase!r}: {exc}") from exc
        raise
    return Lexicon(
        name,
        tuple(ordered),
        pattern,
        source,
        tuple(_WORD_START + b for b in bodies),
        None if any("$" in e.phrase for e in ordered) else {},
    )


def _parse_emoji(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise LexiconError(f"{path.name}:{lineno}: '<emoji> <word>' expected")
        table[parts[0].replace("\ufe0f", "")] = parts[1].lower()
    return table


@lru_cache(maxsize=8)
def load_lexicons(directory: Path | str | None = None) -> Lexicons:
    """Read and compile every lexicon file of ``directory`` (default: the shipped ones),
    and of its subfolders (merged by file name).

    Raises :class:`LexiconError` naming the file and line of a bad entry, and when a
    file the scorer needs is missing. Cached: loading happens once per directory.
    """
    root = Path(directory) if directory is not None else DEFAULT_DIR
    entries: dict[str, list[Entry]] = {}
    # A subfolder (es/ for Spanish) adds entries to the file of the same name above it, so a
    # language or a supplement lives in small files of its own.
    for path in [*sorted(root.glob("*.txt")), *sorted(root.glob("*/*.txt"))]:
        if path.stem in ("emoji", "README"):
            continue
        entries.setdefault(path.stem, []).extend(_parse(path))
    by_name = {name: _compile(name, found) for name, found in entries.items()}
    missing = [n for n in (*CORE, *CONTEXT) if n not in by_name]
    if missing:
        raise LexiconError(f"{root}: missing lexicon files: {', '.join(missing)}")
    emoji_path = root / "emoji.txt"
    emoji = _parse_emoji(emoji_path) if emoji_path.exists() else {}
    return Lexicons(by_name, emoji, root)
