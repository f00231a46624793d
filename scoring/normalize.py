"""Text normalization with an offset map back into the original text.

Contract: ``normalize(text)`` returns a :class:`Normalized` whose ``norm`` is a lower-cased,
de-obfuscated search string, and whose ``span(start, end)`` maps any half-open range of
``norm`` back to a half-open range of the *original* ``text``. Everything the scorer
reports (match offsets) goes through ``span`` so a UI can highlight the original text,
emoji and leetspeak included.

What is undone, and why:

* case (``KILL`` -> ``kill``);
* curly quotes and apostrophes (``I’ll`` -> ``i'll``) so one lexicon spelling covers both;
* leetspeak inside words (``k1ll``, ``sh00t``, ``5uicide``, ``$hoot``): a digit or symbol
  only counts as a letter when it touches a letter, so ``5 pm`` or ``@handle`` survive;
* letters stretched three times or more (``killll`` -> ``kil``): the lexicon compiles
  doubled letters as ``l{1,2}`` so ``kil`` still matches ``kill``;
* letters spelled out with separators (``k i l l``, ``k.i.l.l``, ``d-i-e``); three letters
  spaced out (``d i e``, ``k y s``) only when they spell a word of the core lexicons,
  because chat shorthand is full of single letters ("u r a legend", "i d k");
* emoji that carry meaning (``🔫`` -> `` gun ``), mapped from ``lexicons/emoji.txt``.

Most posts are plain ASCII with none of the above; they take a fast path where ``norm`` is
``text.lower()`` and offsets are the identity, because throughput matters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Normalized", "Normalizer"]

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
# "!" and "|" only stand for "i" between two letters ("k!ll"), never at a word's end.
_LEET_INNER = {"!": "i", "|": "i"}
_QUOTES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'}

# Cheap tests for "is the slow path needed at all" on the lower-cased ASCII text
# (_needs_slow): a leet character touching a letter, three letters spelled out, a
# letter stretched. Each searched on its own, from its rarest character where it has
# one (a digit or symbol, a separator), so the engine skips through most of a long post
# at C speed instead of trying five alternatives at every character.
_LEET_HINT = re.compile(
    r"[0-9@$!|](?:(?<=[a-z][0-9@$])|(?<=[0-9$])(?=[a-z])|(?<=[a-z][!|])(?=[a-z]))"
)
_SPELLED_HINT = re.compile(r"[ .\-_*][a-z][ .\-_*](?<=(?<![a-z])[a-z]...)[a-z](?![a-z])")
_STRETCHED = re.compile(r"([a-z])\1\1")
# A letter standing alone, then a separator, a letter, a separator and a letter: every
# spelled-out word (_SPACED, _SPACED3) holds this, and prose almost never does ("is a
# dog", "a.m." do not). Searched from the separator.
_SEPARATED = re.compile(r"[ .\-_*][a-z][ .\-_*](?<=(?<![a-z0-9'])[a-z]...)[a-z]")
# A leet character touching a letter: without one, the leetspeak pass changes nothing
# (``[^\W\d_]`` holds every letter ``str.isalpha`` knows, and a few more).
_LEET_TOUCHING = re.compile(r"[0-9@$!|](?:(?<=[^\W\d_].)|(?=[^\W\d_]))")
_LEET_CANDIDATE = re.compile(r"[0-9@$!|]")
_RUN = re.compile(r"([a-z])\1{2,}")
# Letters spelled out: 4+ letters with spaces, or 3+ letters with . - _ * between them.
_SPACED = re.compile(
    r"(?<![a-z0-9'])(?:[a-z](?: [a-z]){3,}|[a-z](?:[.\-_*][a-z]){2,})(?![a-z0-9'])"
)
# Exactly three letters with single spaces: joined only when they spell a known word.
_SPACED3 = re.compile(r"(?<![a-z0-9'])[a-z] [a-z] [a-z](?![a-z0-9'])")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalized search string and the way back to the original text.

    ``starts[i]``/``ends[i]`` are the original offsets covered by ``norm[i]``; both are
    ``None`` where the mapping is the identity (every character stayed where it was).
    """

    text: str
    norm: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open range ``norm[start:end]`` to a range of ``text``."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.text)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


class Normalizer:
    """Normalizes texts; built once from the emoji map (emoji sequence -> words) and the
    three-letter words worth joining when spelled out (``short_words``)."""

    def __init__(self, emoji: Mapping[str, str], short_words: Iterable[str] = ()) -> None:
        self._short = frozenset(short_words)
        self._emoji = dict(emoji)
        keys = sorted(self._emoji, key=len, reverse=True)
        # A variation selector (U+FE0F) often trails an emoji; swallow it with the emoji.
        self._emoji_re = (
            re.compile("(?:" + "|".join(re.escape(k) for k in keys) + ")\ufe0f?") if keys else None
        )
        self._emoji_firsts = tuple(sorted({k[0] for k in keys if k}))

    @property
    def emoji_pattern(self) -> re.Pattern[str] | None:
        """The regex of the emoji this normalizer reads as words (None without any)."""
        return self._emoji_re

    def has_emoji(self, text: str) -> bool:
        """Whether ``text`` holds an emoji this normalizer reads as a word."""
        # Their first characters are few, and mostly outside the Basic Multilingual
        # Plane: ``in`` answers at once for a text that holds no such character at
        # all, where the regex (a class of twenty astral characters) walked every one.
        return (
            self._emoji_re is not None
            and any(map(text.__contains__, self._emoji_firsts))
            and self._emoji_re.search(text) is not None
        )

    def __call__(self, text: str) -> Normalized:
        low = text.lower()
        if len(low) == len(text) and text.isascii() and not _needs_slow(low):
            return Normalized(text, low)
        return self._slow(text)

    def _slow(self, text: str) -> Normalized:
        # The string is worked on whole, at C level, as long as each character stays
        # where it was: ``starts``/``ends`` are made only when one moves (a case fold
        # that changes the length, an emoji read as a word, letters dropped), and are
        # None (the identity) otherwise.
        low = text.lower()
        starts: list[int] | None = None
        ends: list[int] | None = None
        if len(low) == len(text):
            joined = low
        else:  # a case fold changed the length ("İ"): map char by char
            chars, starts, ends = [], [], []
            for i, ch in enumerate(text):
                for c in ch.lower():
                    chars.append(c)
                    starts.append(i)
                    ends.append(i + 1)
            joined = "".join(chars)
        if not text.isascii():
            # one character for another: offsets stay (str.translate looks each
            # character of a non-Latin-1 text up in a dict: slower than six replaces)
            for quote, plain in _QUOTES.items():
                if quote in joined:
                    joined = joined.replace(quote, plain)
            # emoji -> padded words (" gun "), all pointing at the emoji's own span
            if self._emoji_re is not None and self.has_emoji(joined):
                if starts is None or ends is None:
                    starts, ends = list(range(len(joined))), list(range(1, len(joined) + 1))
                chars, starts, ends = self._replace(
                    list(joined), starts, ends, self._emoji_re, self._emoji
                )
                joined = "".join(chars)
        # leetspeak inside words: only the few candidate positions are visited
        if _LEET_TOUCHING.search(joined) is not None:
            chars = list(joined)
            for m in _LEET_CANDIDATE.finditer(joined):
                i = m.start()
                ch = chars[i]
                prev_alpha = i > 0 and chars[i - 1].isalpha()
                next_alpha = i + 1 < len(chars) and chars[i + 1].isalpha()
                if ch in _LEET and (prev_alpha or next_alpha):
                    if ch == "@" and not prev_alpha:
                        continue  # "@handle", not a leet "a"
                    if ch.isdigit() and _ordinal_or_unit(chars, i):
                        continue
                    chars[i] = _LEET[ch]
                elif ch in _LEET_INNER and prev_alpha and next_alpha:
                    chars[i] = _LEET_INNER[ch]
            joined = "".join(chars)
        drop: set[int] = set()
        # spelled-out letters: drop the separators
        if _SEPARATED.search(joined) is not None:
            for m in _SPACED.finditer(joined):
                drop.update(range(m.start() + 1, m.end(), 2))
            if self._short:
                for m in _SPACED3.finditer(joined):
                    if m.group()[::2] in self._short:
                        drop.update((m.start() + 1, m.start() + 3))
        # runs of 3+ identical letters fold into the first (the lexicon allows doubles)
        runs = _RUN.finditer(joined) if _STRETCHED.search(joined) is not None else ()
        for m in runs:
            if starts is None or ends is None:
                starts, ends = list(range(len(joined))), list(range(1, len(joined) + 1))
            ends[m.start()] = ends[m.end() - 1]
            drop.update(range(m.start() + 1, m.end()))
        if drop:
            if starts is None or ends is None:
                starts, ends = list(range(len(joined))), list(range(1, len(joined) + 1))
            keep = [i for i in range(len(joined)) if i not in drop]
            joined = "".join([joined[i] for i in keep])
            starts = [starts[i] for i in keep]
            ends = [ends[i] for i in keep]
        if starts is None or ends is None:
            return Normalized(text, joined)
        return Normalized(text, joined, tuple(starts), tuple(ends))

    @staticmethod
    def _replace(
        chars: list[str],
        starts: list[int],
        ends: list[int],
        pattern: re.Pattern[str],
        table: Mapping[str, str],
    ) -> tuple[list[str], list[int], list[int]]:
        s = "".join(chars)
        c2: list[str] = []
        s2: list[int] = []
        e2: list[int] = []
        last = 0
        for m in pattern.finditer(s):
            c2.extend(chars[last : m.start()])
            s2.extend(starts[last : m.start()])
            e2.extend(ends[last : m.start()])
            word = " " + table[m.group().rstrip("\ufe0f")] + " "
            a, b = starts[m.start()], ends[m.end() - 1]
            c2.extend(word)
            s2.extend([a] * len(word))
            e2.extend([b] * len(word))
            last = m.end()
        c2.extend(chars[last:])
        s2.extend(starts[last:])
        e2.extend(ends[last:])
        return c2, s2, e2


def _needs_slow(low: str) -> bool:
    """Whether a lower-cased ASCII text holds leetspeak, spelled-out or stretched
    letters: something the slow path would change."""
    return (
        _LEET_HINT.search(low) is not None
        or _SPELLED_HINT.search(low) is not None
        or _STRETCHED.search(low) is not None
    )


# Letters after a number that keep it a number: ordinals, times, units ("5pm", "90s").
_UNITS = frozenset(
    [
        "st",
        "nd",
        "rd",
        "th",
        "am",
        "pm",
        "k",
        "s",
        "h",
        "m",
        "x",
        "min",
        "mins",
        "hr",
        "hrs",
        "yo",
        "ft",
        "lb",
        "lbs",
        "mg",
        "ml",
        "kg",
        "km",
        "mph",
    ]
)


def _ordinal_or_unit(chars: list[str], i: int) -> bool:
    """True for digits in "1st", "3rd", "5pm", "10am", "90s": numbers, not leetspeak."""
    j = i
    while j > 0 and chars[j - 1].isdigit():
        j -= 1
    if j > 0 and chars[j - 1].isalpha():
        return False  # a letter before the number: "k1ll", "sh00t"
    k = i + 1
    while k < len(chars) and chars[k].isdigit():
        k += 1
    m = k
    while m < len(chars) and chars[m].isalpha():
        m += 1
    return "".join(chars[k:m]) in _UNITS
