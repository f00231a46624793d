"""The lexicons' compiled regexes kept between processes, as Python keeps compiled modules.

Contract: ``compiled(source, build)`` returns the pattern that
``re._compiler.compile(tree)`` gives for ``(pattern, tree, code) = build(source)``
(``pattern``: what the compiled object's ``.pattern`` is, the source or None), the same
object in every respect (``==`` compares the flags, the source and the engine's code).
``plain(source)`` is ``re.compile(source)``. Both read the engine's code from a file
written by an earlier process when it holds ``source``; ``build`` is then not called.

Why: Python cannot keep a compiled pattern between processes, and compiling the
lexicons (their parse, the factoring of alternation.py, and the engine's code) was most
of ``Scorer()`` and of the first posts of a ``score_posts`` stream (~0.3-0.4 s of a
20,000-post run). What is kept is what ``_sre.compile`` takes: the flags, the code (a
list of integers), the groups; building the pattern from them takes microseconds.

The file sits in the package's ``__pycache__`` (where ``.pyc`` files go, with the same
trust and the same lifetime), named by the interpreter's cache tag and the engine's
``MAGIC``: another Python reads another file. It is keyed by the exact source, so an
edited lexicon line is compiled again, never served stale. It holds only regexes made
from the lexicons (no post, no term a caller passes). A process that compiled something
new writes the file once at exit (to a temporary name, then renamed: readers never see
half a file; where the directory is read-only nothing is written). Unlike ``.pyc`` files
it is written under ``PYTHONDONTWRITEBYTECODE`` too: it is not bytecode, and that
setting is common in containers, where the start it saves matters most. An unreadable,
foreign or damaged file is ignored (the patterns are compiled as before).
"""

from __future__ import annotations

import array
import atexit
import base64
import json
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import _sre
    from re import _compiler as _k
    from re import _parser as _p
except ImportError:  # pragma: no cover - another Python: every pattern compiled as usual
    _sre = _k = _p = None

__all__ = ["cache_path", "compiled", "plain"]

_FORMAT = 1
# Where the file is kept: the package's own __pycache__ (ignored by git and packaging).
DIRECTORY = Path(__file__).resolve().parent / "__pycache__"
# More entries than this and only those of the last process are written (an edited
# lexicon leaves its old sources behind; they are dropped once the file is this big).
_MAX_ENTRIES = 20_000


def cache_path() -> Path | None:
    """Where the compiled patterns are kept for this interpreter (None: not kept)."""
    if _sre is None or getattr(_sre, "CODESIZE", 0) != 4 or array.array("I").itemsize != 4:
        return None
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    return DIRECTORY / f"regexes.{tag}-{_sre.MAGIC}.bin"


# source -> (pattern, flags, the code as base64 of 32-bit words, groups): what _sre.compile
# takes, for patterns without named groups (the others are not kept)
_Record = tuple[str | None, int, str, int]
_lock = threading.Lock()
_loaded: dict[str, _Record] | None = None
_used: dict[str, _Record] = {}
_new = False


def _load() -> dict[str, _Record]:
    global _loaded
    if _loaded is None:
        found: dict[str, _Record] = {}
        path = cache_path()
        try:
            if path is not None and path.is_file():
                data = json.loads(path.read_bytes())
                if isinstance(data, dict) and data.get("format") == _FORMAT:
                    found = data.get("patterns")
        except (OSError, ValueError, TypeError):
            found = {}
        _loaded = found if isinstance(found, dict) else {}
    return _loaded


def _pattern(record: _Record) -> re.Pattern[str]:
    pattern, flags, code, groups = record
    if not (pattern is None or isinstance(pattern, str)) or type(groups) is not int:
        raise TypeError("not a record of this cache")
    words = array.array("I")
    words.frombytes(base64.b64decode(code, validate=True))
    return _sre.compile(pattern, flags, words.tolist(), groups - 1, {}, (None,) * groups)


def compiled(
    source: str, build: Callable[[str], tuple[str | None, Any, list[int]]]
) -> re.Pattern[str]:
    """The pattern of ``build(source)``: (``.pattern``, the parse tree, the engine's code
    of the tree, ``re._compiler._code(tree, 0)``); see the module doc."""
    global _new
    path = cache_path()
    if path is None:
        pattern, tree, _ = build(source)
        return _k.compile(tree) if pattern is None else re.compile(pattern)
    record = _load().get(source)
    if record is not None:
        try:
            found = _pattern(record)
        except (TypeError, ValueError, RuntimeError, OverflowError, AttributeError):
            found = None  # a damaged or foreign record: compiled again below
        if found is not None:
            _used[source] = record
            return found
    pattern, tree, code = build(source)
    if tree.state.groupdict:  # named groups: compiled as usual, not kept
        return _k.compile(tree) if pattern is None else re.compile(pattern)
    # re._compiler.compile(tree), with the arguments of _sre.compile kept
    words = base64.b64encode(array.array("I", code).tobytes()).decode("ascii")
    record = (pattern, tree.state.flags, words, tree.state.groups)
    found = _pattern(record)
    with _lock:
        _used[source] = record
        if not _new:
            _new = True
            atexit.register(_write)
    return found


def parsed(source: str) -> tuple[str, Any, list[int]]:
    """What ``re.compile(source)`` compiles: (source, its parse tree, the engine's code)."""
    tree = _p.parse(source, 0)
    return source, tree, _k._code(tree, 0)


def plain(source: str) -> re.Pattern[str]:
    """``re.compile(source)``, kept between processes (module doc)."""
    if _p is None:
        return re.compile(source)
    return compiled(source, parsed)


def _write() -> None:
    """Write the patterns of this process (and, while the file is small, the earlier
    ones) to the cache file; any failure leaves the file as it was."""
    path = cache_path()
    if path is None:
        return
    with _lock:
        merged = {**_load(), **_used}
        if len(merged) > _MAX_ENTRIES:
            merged = dict(_used)
        data = json.dumps({"format": _FORMAT, "patterns": merged}).encode("utf-8")
    try:
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
