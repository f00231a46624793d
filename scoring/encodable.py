"""Text that can be encoded: lone surrogates read as U+FFFD.

A Python ``str`` may hold a lone surrogate (U+D800-DFFF): JSON allows them as escapes
(``"\\ud800"``), and feeds that cut a post inside an emoji's pair send them. Such a text
cannot be encoded as UTF-8, so it could be neither scored, encrypted nor stored. Replacing
each one by U+FFFD (the replacement character) keeps every other character where it was:
one code point for one, so spans found in the cleaned text index the original too.
"""

from __future__ import annotations

import re

__all__ = ["encodable"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (the same object when none)."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)
