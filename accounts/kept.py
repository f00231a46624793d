"""What a process keeps of derived values: compiled SQL, drawn markup, parsed filters.

``Kept(limit)`` is a dict with one more method, ``keep(key, make)``: the value kept under
``key``, else ``make()``'s, kept. When ``limit`` values are kept, it starts again empty
rather than grow (a process serves a bounded set of languages, scopes and filters; a flood
of odd keys costs only the work the dict saves). What goes in is derived from names, ids,
labels and chosen filter values: never a tip's or a post's text.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from django.db import connection

__all__ = ["Kept", "compiled_where"]

V = TypeVar("V")


class Kept(dict):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: Hashable, make: Callable[[], V]) -> V:
        try:
            return self[key]
        except KeyError:
            pass
        value = make()
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


def compiled_where(queryset) -> tuple[str, tuple]:
    """The WHERE clause of ``queryset`` as the ORM compiles it for the default database:
    (SQL, params). Raises EmptyResultSet where the queryset can match nothing."""
    query = queryset.query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, tuple(params)
