"""Anchors: the words one of which every core lexicon phrase needs, for a cheap test.

Contract: ``core_anchors(lexicons, rarity)`` returns ``(words, prefixes)``: UTF-8 tokens,
and the stems of ``word*`` entries. If a text (tokenized as ``scoring.features`` does)
holds none of the words and no token starting with a prefix, no phrase of the core
lexicons (violence, weapons, self_harm, bullying) can match it, so the rule tier need not
read it: a set intersection instead of four regex scans.

Per phrase, one mandatory part is chosen (a word, or a group of alternatives, not marked
optional): the one whose most common word is rarest by ``rarity`` (higher is rarer; the
scorer passes the learned model's idf). Phrases without a usable part (function words
only, or every part optional or nested) give all their content words. Spellings the
syntax allows (optional letter or apostrophe) are all listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .lexicon import CORE, Lexicons

__all__ = [
    "ANCHOR_FUNCTION_WORDS",
    "core_anchors",
    "entry_anchors",
    "entry_requirements",
    "entry_words",
]


def core_anchors(
    lexicons: Lexicons,
    rarity: Callable[[bytes], float] = len,
    names: tuple[str, ...] = CORE,
) -> tuple[frozenset[bytes], tuple[bytes, ...]]:
    """The anchors of the core lexicons ``names`` (see the module doc)."""
    words: set[bytes] = set()
    prefixes: set[bytes] = set()
    for name in names:
        for entry in lexicons[name].entries:
            found, stems = entry_anchors(entry.phrase, rarity)
            words |= found
            prefixes |= stems
    return frozenset(words), tuple(sorted(prefixes))


def entry_anchors(
    phrase: str, rarity: Callable[[bytes], float] = len
) -> tuple[set[bytes], set[bytes]]:
    """The anchors of one phrase: ``(words, prefixes)``, one of which every match holds."""
    words: set[bytes] = set()
    prefixes: set[bytes] = set()
    choices = [c for c in _mandatory_parts(phrase.lower()) if c]
    if choices:
        best = max(choices, key=lambda c: min(rarity(_key(w)) for w in c))
    else:  # every word but the function words
        pieces = [p.lstrip("?'") for p in _PIECE_SPLIT.split(phrase.lower())]
        content = [p for p in pieces if _bare(p) not in ANCHOR_FUNCTION_WORDS]
        best = content or pieces
    for piece in best:
        if len(_bare(piece)) < 2:
            continue
        for variant in _spellings(piece):
            if variant.endswith("*"):
                prefixes.add(variant[:-1].encode("utf-8"))
            else:
                words.add(variant.encode("utf-8"))
    return words, prefixes


def entry_words(phrase: str) -> set[bytes]:
    """Every literal content word of a phrase, optional ones included (spellings as
    ``_spellings`` gives them, prefixes without their ``*``). A match glued to an
    optional group ("deserve todie") may lack its anchor as a token; it still holds
    one of these, which is how such a phrase is looked up."""
    words: set[bytes] = set()
    for piece in _PIECE_SPLIT.split(phrase.lower().replace("(", " ").replace(")", " ")):
        piece = piece.replace("|", " ")
        for word in piece.split():
            bare = _bare(word).strip("'")
            if len(bare) < 2 or bare in ANCHOR_FUNCTION_WORDS:
                continue
            words |= {v.rstrip("*").encode("utf-8") for v in _spellings(word.strip("?'"))}
    return words


def entry_requirements(phrase: str) -> tuple[frozenset[bytes], ...]:
    """Every part of a phrase a match must hold, as the tokens one of which it holds
    ("make _ (suffer|pay)" -> ({"make"}, {"suffer", "pay"})): a text lacking one part's
    tokens cannot match the phrase, whichever anchor it holds. Parts given as a prefix
    ("self*") or with a piece too short to be a token say nothing and are left out,
    and so are parts next to an optional group (the space between them is optional
    too), so a phrase may have no requirement at all."""
    found: list[frozenset[bytes]] = []
    raws = _split_top(phrase.strip().lower(), " ")
    for i, raw in enumerate(raws):
        glued = (
            _strip_optional_prefix(raw) != raw.rstrip("$")
            or (i > 0 and raws[i - 1].endswith((")?", ")*")))
            or (i + 1 < len(raws) and _strip_optional_prefix(raws[i + 1]) != raws[i + 1])
        )
        if glued:
            continue  # next to an optional group no space is needed: "todie"
        choice = next(iter(_mandatory_parts(raw)), [])
        if not choice or any(len(_bare(piece)) < 2 for piece in choice):
            continue
        spellings = set().union(*(_spellings(piece) for piece in choice))
        if any(v.endswith("*") for v in spellings):
            continue
        found.append(frozenset(v.encode("utf-8") for v in spellings))
    return tuple(found)


_DOUBLED = re.compile(r"([a-z])\1")
# What separates the literal words of a phrase: spaces and the syntax's own marks.
_PIECE_SPLIT = re.compile(r"[^\w'?*]+")
# Too common to say anything about whether a core phrase can match.
ANCHOR_FUNCTION_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "we",
        "us",
        "our",
        "you",
        "u",
        "ur",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "they",
        "them",
        "their",
        "it",
        "its",
        "a",
        "an",
        "the",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "but",
        "if",
        "so",
        "is",
        "am",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "this",
        "that",
        "these",
        "those",
        "not",
        "no",
        "just",
        "im",
        "i'm",
        "i'll",
        "it's",
        "with",
        "from",
        "as",
        "by",
        "up",
        "out",
        "all",
        "can",
        "will",
        "would",
        "could",
        "should",
        "going",
        "gonna",
        "go",
        "get",
        "got",
    ]
)


def _bare(piece: str) -> str:
    return piece.replace("?", "").replace("*", "")


def _key(piece: str) -> bytes:
    return _bare(piece).replace("'", "").encode("utf-8")


def _split_top(text: str, sep: str) -> list[str]:
    """``text`` split on ``sep`` where it is not inside parentheses."""
    out, depth, current = [], 0, ""
    for ch in text:
        if ch == sep and depth == 0:
            out.append(current)
            current = ""
            continue
        depth += (ch == "(") - (ch == ")")
        current += ch
    out.append(current)
    return out


def _strip_optional_prefix(part: str) -> str:
    """ "(so |just )?ready$" -> "ready": optional groups glued before a part, and the
    end-of-sentence mark, say nothing about which words the part must hold."""
    part = part.rstrip("$")
    while part.startswith("("):
        close = _closing(part)
        if close + 1 < len(part) and part[close + 1] in "?*" and close + 2 < len(part):
            part = part[close + 2 :]
        else:
            break
    return part


def _closing(text: str) -> int:
    """The index of the parenthesis that closes the one ``text`` opens with."""
    depth = 0
    for index, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return index
    return len(text) - 1


def _mandatory_parts(phrase: str) -> list[list[str]]:
    """The parts of a phrase every match contains, each as the words one of which it
    holds: "(kill|kills) (you|him)?" -> [["kill", "kills"]]. A word glued to a group
    ("self( |-)?harm") stands as a prefix ("self*"). A part that is optional, a gap, or
    has an alternative of function words only gives an empty list."""
    out = []
    for raw in _split_top(phrase.strip(), " "):
        part = _strip_optional_prefix(raw)
        if part in ("_", "") or raw.endswith((")?", ")*")):
            continue
        if part.startswith("(") and part.endswith(")"):
            alternatives = _split_top(part[1:-1], "|")
        else:
            alternatives = [part]
        chosen = []
        for alternative in alternatives:
            head = next(
                (
                    w
                    for w in alternative.split(" ")
                    if len(_bare(w.split("(")[0])) >= 2
                    and _bare(w.split("(")[0]) not in ANCHOR_FUNCTION_WORDS
                ),
                None,
            )
            if head is None or head.startswith("("):
                chosen = []
                break
            if "(" in head:  # a word glued to a group: its letters before the group
                head = head.split("(")[0] + "*"
            chosen.append(head)
        out.append(chosen)
    return out


def _spellings(piece: str) -> set[str]:
    """Every spelling of one literal word of a phrase the matcher accepts."""
    forms = {""}
    i = 0
    while i < len(piece):
        ch = piece[i]
        optional = i + 1 < len(piece) and piece[i + 1] == "?"
        if ch == "'":
            forms = {f + "'" for f in forms} | forms
        elif ch == "*":
            forms = {f + "*" for f in forms}
        elif optional:
            forms = {f + ch for f in forms} | forms
            i += 1
        else:
            forms = {f + ch for f in forms}
        i += 1
    # A doubled letter also matches a single one ("shoots" matches "shots").
    singles = {_DOUBLED.sub(r"\1", f) for f in forms}
    forms |= {
        f for f in singles if len(f.strip("*")) >= 3 and f.strip("*") not in ANCHOR_FUNCTION_WORDS
    }
    return {f for f in forms if f.strip("*")}
