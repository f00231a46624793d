"""The learned tier's features: word unigrams and bigrams of a text.

Contract: ``grams(text)`` returns the SET of the word unigrams and bigrams of ``text``
(``b"kill"``, ``b"kill you"``), as UTF-8 bytes, lower-cased. Training (``scoring.train``)
and inference (``scoring.learned``) both call this one function, so the model sees at
run time exactly the features it was trained on. A feature counts once per text,
whatever its frequency (binary presence): repetition in a long post is weak evidence,
and a set is what makes the lookup cheap.

Links, @handles and HTML entities are dropped before tokenizing: they say which platform
a text came from, not whether it is harmful, and a model that learns the platform
instead of the harm fails on the next one. "rt" (a retweet mark) goes for the same
reason. Curly apostrophes count as straight ones ("I’ll" is "i'll").

Why bytes: most posts are ASCII, and ``bytes.translate`` + ``split`` tokenizes them
several times faster than any regex, which matters on Reddit-length posts (every post
takes this path). Other texts take a Unicode regex and the same encoding.

``token_spans(text, gram)`` finds where a feature occurs in ``text`` (any case), for
explanations; offsets index ``text`` itself.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

__all__ = ["grams", "token_spans", "tokens", "translated"]

_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|&(?:amp|lt|gt|quot|#\d+);?")

_KEEP = frozenset(string.ascii_lowercase + string.digits + "'_")
# ASCII letters, digits, apostrophe and underscore stay; every other byte splits words.
_ASCII_TABLE = bytes(c if chr(c) in _KEEP else 0x20 for c in range(256))
# The same for UTF-8 text, keeping every byte of a multi-byte character.
_UTF8_TABLE = bytes(c if c >= 0x80 or chr(c) in _KEEP else 0x20 for c in range(256))
_UTF8_QUOTES = tuple(q.encode("utf-8") for q in ("\u2019", "\u2018", "\u02bc"))
# General punctuation (U+2000-206F), arrows to dingbats (U+2190-27BF), the
# ideographic space, emoji and other 4-byte characters, and U+00A0-00BF (nbsp, «, ¿...).
_UTF8_SYMBOL = re.compile(
    rb"\xe2[\x80\x81\x86-\x9f][\x80-\xbf]|\xe3\x80\x80|[\xf0-\xf4][\x80-\xbf]{3}"
    rb"|\xef\xb8[\x80-\x8f]|\xc2[\xa0-\xbf]"
)
_RT = b"rt"
_SPACE_JOIN = b" ".join


def translated(text: str) -> bytes:
    """``text`` lower-cased, platform noise removed, as UTF-8 bytes in which every byte
    that splits words is ASCII whitespace: ``tokens`` is its ``split()`` less "rt" (the
    compiled path, ``scoring._speedups``, reads these same bytes)."""
    low = text.lower()
    # Every noise match holds one of these (an entity starts with "&"): most posts
    # skip the regex.
    if "@" in low or "&" in low or "://" in low or "www." in low:
        low = _NOISE.sub(" ", low)
    if low.isascii():
        raw = low.encode("ascii").translate(_ASCII_TABLE)
    else:
        raw = low.encode("utf-8")
        for quote in _UTF8_QUOTES:
            raw = raw.replace(quote, b"'")
        # Bytes of other scripts stay (letters of Spanish, Greek...); emoji and
        # typographic punctuation become spaces so they never glue to a word.
        raw = _UTF8_SYMBOL.sub(b" ", raw.translate(_UTF8_TABLE))
    if b"'" in raw:
        # A quote mark that opens or closes a word is punctuation, not part of it.
        raw = b" " + raw + b" "
        raw = raw.replace(b" '", b"  ").replace(b"' ", b"  ").replace(b" '", b"  ")
    return raw


def tokens(text: str) -> list[bytes]:
    """The lower-cased word tokens of ``text`` (UTF-8 bytes), platform noise removed."""
    found = translated(text).split()
    if _RT in found:
        found = [t for t in found if t != _RT]
    return found


def grams(text: str) -> set[bytes]:
    """Unigrams and bigrams (b"a b") of ``text``, as a set."""
    toks = tokens(text)
    found = set(toks)
    # Bigrams built by a C-level map: this runs on every post, long Reddit posts
    # included (zip reuses its pair, so each bigram is one allocation).
    found.update(map(_SPACE_JOIN, zip(toks, islice(toks, 1, None), strict=False)))
    return found


@lru_cache(maxsize=8192)
def _gram_pattern(gram: str) -> re.Pattern[str]:
    words = gram.split(" ")
    source = r"(?<![\w'])" + r"\W+".join(re.escape(w) for w in words) + r"(?![\w'])"
    return re.compile(source, re.IGNORECASE)


def _in_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def token_spans(text: str, gram: str, low: str | None = None) -> Iterator[tuple[int, int]]:
    """Half-open spans of ``gram`` (one or two words) in ``text``, ignoring case: the
    words whole (no letter, digit, underscore or apostrophe glued before or after),
    separated by anything that is not a word character. ``low`` is ``text.lower()``
    when the caller has it (several n-grams of one long post)."""
    if low is None:
        low = text.lower()
    if len(low) != len(text):  # a case fold changed the length: offsets would drift
        for m in _gram_pattern(gram).finditer(text):
            yield m.start(), m.end()
        return
    first, *rest = gram.split(" ")
    n = len(low)
    pos = low.find(first)
    while pos >= 0:
        end = pos + len(first)
        ok = pos == 0 or not (_in_word(low[pos - 1]) or low[pos - 1] == "'")
        for word in rest:
            if not ok:
                break
            gap = end
            while gap < n and not _in_word(low[gap]):
                gap += 1
            ok = gap > end and low.startswith(word, gap)
            end = gap + len(word)
        if ok and (end >= n or not (_in_word(low[end]) or low[end] == "'")):
            yield pos, end
            pos = low.find(first, end)
        else:
            pos = low.find(first, pos + 1)
