"""Order-exact factoring of regex alternations by their first characters.

Contract: ``compile_factored(source)`` returns a compiled pattern that matches exactly
what ``re.compile(source)`` matches: at the same positions, with the same spans, making
the same choice among alternatives (Python's regex engine takes the first alternative
that leads to a match, so their order is part of the meaning and is kept). A source the
rewrite does not know (flags, capture groups, back references, another Python's parser)
is compiled as it is. The returned pattern's ``.pattern`` is ``None``: it was compiled
from a parse tree, not from a string.

Why: a lexicon is one alternation of up to a hundred phrases, many of them groups of
alternatives themselves ("(fortnite|minecraft|roblox|...)"). At every word start the
engine tries each alternative in turn: it skips one that opens with a literal letter
cheaply, but enters every group. On a long post the context lexicons' scans cost more
than the rest of the scorer. Rewritten as a trie of first characters
("k(?:ill...|nife...)|s(?:hoot...|tab...)"), the engine compares a few dozen letters at a
word start and enters only the branch of the letter it sees.

The rewrite works on the parse tree of Python's own regex parser:

* *expand* (top level only) the leading group of an alternative into one alternative per
  branch (``(a|b)r`` is ``ar|br``), a leading optional part into two (``x?r`` is
  ``xr|r``, greedy: ``x`` first), a leading ``x*`` into ``xx*r|r``, and ``k{1,2}`` into
  ``kk{0,1}``: each is the same ordered choice, so the first alternative to match stays
  the first. An expansion is not made when it would give more than ``_BUDGET``
  alternatives or copy more than ``_COPIES`` nodes of what follows (compiling the
  copies would cost more at process start than the scans gain);
* *group* the alternatives that open with the same literal character under it, keeping
  their order. An alternative moves ahead of others only past those that cannot start
  with its character (another literal, or a class without it): at a position holding
  that character they fail at once, so which alternative matches first cannot change;
* do the same inside each group, and in every nested alternation (grouping only).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .regexcache import compiled, parsed

try:
    from re import _compiler as _k
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - another Python: the plain patterns are used
    _k = _c = _p = None

__all__ = ["compile_factored"]

# At most this many alternatives come out of expanding one.
_BUDGET = 64
# Nor when the copies of what follows the expanded part would hold more nodes than this.
_COPIES = 1000


class _Unsupported(Exception):
    """A construct the rewrite leaves alone: the source is compiled as it is."""


def compile_factored(source: str) -> re.Pattern[str]:
    """``re.compile(source)``, rewritten as a trie of first characters (module doc)."""
    if _p is None:
        return re.compile(source)
    return compiled(source, _factored)


def _factored(source: str) -> tuple[str | None, object, list[int]]:
    """What ``compile_factored`` compiles (regexcache.compiled): the rewritten parse tree
    and its code, or ``re.compile(source)``'s for a source the rewrite leaves alone."""
    try:
        tree = _p.parse(source)
        if tree.state.flags & ~_c.SRE_FLAG_UNICODE or tree.state.groups > 1:
            return parsed(source)
        tree.data = _rewrite(tree.data, tree.state, expand=True)
        return None, tree, _k._code(tree, 0)
    except (_Unsupported, AttributeError, TypeError, ValueError, re.error):
        return parsed(source)


def _rewrite(ops, state, *, expand: bool = False) -> list:
    """``ops`` with every alternation in it factored."""
    out = []
    for op, av in ops:
        if op is _c.BRANCH:
            alternatives = _factor([s.data for s in av[1]], state, expand=expand)
            if len(alternatives) == 1:
                out.extend(alternatives[0])
            else:
                out.append(_branch(alternatives, state))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            lo, hi, item = av
            out.append((op, (lo, hi, _p.SubPattern(state, _rewrite(item.data, state)))))
        elif op is _c.SUBPATTERN:
            group, add, remove, sub = av
            if group is not None or add or remove:
                raise _Unsupported(op)
            out.extend(_rewrite(sub.data, state))
        else:
            out.append((op, av))  # assertions keep their exact (fixed-width) form
    return out


def _branch(alternatives: list[list], state) -> tuple:
    return (_c.BRANCH, (None, [_p.SubPattern(state, a) for a in alternatives]))


def _factor(alternatives: list, state, *, expand: bool = False) -> list[list]:
    """The alternatives as a trie of first characters, order-exact (module doc)."""
    if expand:
        alternatives = [x for a in alternatives for x in _expand(list(a))]
    groups: list[tuple[int | None, list]] = []
    open_groups: dict[int, list] = {}
    for alternative in alternatives:
        if alternative and alternative[0][0] is _c.LITERAL:
            key = alternative[0][1]
            members = open_groups.get(key)
            if members is None:
                members = open_groups[key] = []
                groups.append((key, members))
            members.append(alternative[1:])
        else:
            groups.append((None, [alternative]))
            # Later alternatives of a letter this one may start with stay behind it.
            for key in [k for k in open_groups if _may_start(alternative, k)]:
                del open_groups[key]
    out = []
    for key, members in groups:
        if key is None:
            out.append(_rewrite(members[0], state))
            continue
        head = [(_c.LITERAL, key)]
        inner = _factor(members, state) if len(members) > 1 else [_rewrite(members[0], state)]
        if len(inner) == 1:
            out.append(head + inner[0])
        else:
            out.append([*head, _branch(inner, state)])
    return out


def _expand(ops: list) -> list[list]:
    """Alternatives that together are ``ops`` (the same order of choice), each opening
    with a literal where the rewrite can make it so."""
    if not ops:
        return [ops]
    (op, av), rest = ops[0], ops[1:]
    found: list[list] | None = None
    if op is _c.BRANCH:
        found = [x for s in av[1] for x in _expand(s.data + rest)]
    elif op is _c.SUBPATTERN:
        group, add, remove, sub = av
        if group is None and not add and not remove:
            return _expand(sub.data + rest)
    elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        lo, hi, item = av
        body = item.data
        if item.getwidth()[0] == 0:
            return [ops]  # a part that can match nothing repeats by other rules
        if lo >= 1 and len(body) == 1 and body[0][0] is _c.LITERAL:
            # k{1,2} == k k{0,1}: the same greedy (or lazy) choice of how many
            left = hi if hi is _c.MAXREPEAT else hi - 1
            tail = [(op, (lo - 1, left, item))] if left else []
            return [body + tail + rest]
        if lo == 0:
            once = hi if hi is _c.MAXREPEAT else hi - 1
            again = [(op, (0, once, item))] if once else []
            more = _expand(body + again + rest)
            none = _expand(rest)
            found = more + none if op is _c.MAX_REPEAT else none + more
    if found is None or len(found) > _BUDGET or (len(found) - 1) * _size(rest) > _COPIES:
        return [ops]
    return found


def _size(ops) -> int:
    """How many nodes a parse tree holds (what a copy of it costs to compile)."""
    total = 0
    for op, av in ops:
        total += 1
        if op is _c.BRANCH:
            total += sum(_size(s.data) for s in av[1])
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            total += _size(av[2].data)
        elif op is _c.SUBPATTERN:
            total += _size(av[3].data)
    return total


def _may_start(ops: list, char: int) -> bool:
    """Whether a match of ``ops`` may begin with the character ``char`` (True when
    unsure: an empty part, an assertion, anything not known here)."""
    if not ops:
        return True
    (op, av), rest = ops[0], ops[1:]
    if op is _c.LITERAL:
        return av == char
    if op is _c.NOT_LITERAL:
        return av != char
    if op is _c.IN:
        return _in_class(tuple(av), char)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        lo, _, item = av
        if item.getwidth()[0] == 0:
            return True
        return _may_start(item.data, char) or (lo == 0 and _may_start(rest, char))
    if op is _c.BRANCH:
        return any(_may_start(s.data + rest, char) for s in av[1])
    return True


_CATEGORIES = {
    "CATEGORY_WORD": re.compile(r"\w"),
    "CATEGORY_NOT_WORD": re.compile(r"\W"),
    "CATEGORY_DIGIT": re.compile(r"\d"),
    "CATEGORY_NOT_DIGIT": re.compile(r"\D"),
    "CATEGORY_SPACE": re.compile(r"\s"),
    "CATEGORY_NOT_SPACE": re.compile(r"\S"),
}


@lru_cache(maxsize=1024)
def _in_class(items: tuple, char: int) -> bool:
    """Whether ``char`` is in a character class of the parse tree (True when unsure)."""
    negate = False
    found = False
    for kind, value in items:
        name = str(kind)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            found = found or value == char
        elif name == "RANGE":
            found = found or value[0] <= char <= value[1]
        elif name == "CATEGORY" and str(value) in _CATEGORIES:
            found = found or _CATEGORIES[str(value)].fullmatch(chr(char)) is not None
        else:
            return True
    return found != negate
