"""The case queue's hottest reads, written as SQL over definitions kept in the ORM.

The queue, its live check and the home page run on every refresh of every counselor's
screen. Building their aggregate and their page's side reads with the ORM cost more Python
than everything else on the page (bench/queue_pages.py: the tabs' aggregate of nine filtered
counts alone took 3-4 ms to compile and 0.2 ms to run), so:

- who may see which case stays defined once, by `cases.selectors.cases_visible_to`: its WHERE
  clause is compiled by the ORM and kept per (user, roles), so a change of roles is a new key;
- the queues' definitions for the tab counts are SQL here beside `selectors._queue_q`, the
  ORM's definition used by the lists; tests/workspace/test_queue_sql.py checks every queue's
  count against its list on cases that sit on each edge of each definition;
- a page's tags, its previews' newest tip and newest answer (their texts still encrypted) and
  the previews already recorded as read are one UNION ALL, whatever the page size;
- the page of rows and the home page's lists are one SELECT each, with the same conditions as
  the ORM's querysets in selectors (compared for every queue, filter and role in the tests).

Only table and column names come from the models; every value is a query parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from django.db import connection
from django.utils.dateparse import parse_datetime

from accounts import permissions
from accounts.permissions import Action
from cases.models import OPEN_STATUSES, Case, CaseEvent, CaseTag, Priority
from cases.selectors import cases_visible_to
from cases.services.audit import PREVIEW_READ_WINDOW
from tipline.models import Message, MessageDirection, Tip

QUEUES = ("mine", "unassigned", "life_safety", "overdue", "all")

_SCOPES: dict[tuple, tuple[str, tuple]] = {}
_SCOPES_LIMIT = 2000


def _column(model, name: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(name).column)}"


def _in(column: str, ids: list[int]) -> tuple[str, list]:
    """`column IN (ids)`: one array parameter on PostgreSQL (psycopg splits a query's
    placeholders with a regular expression, uncached for a long query: fifty `%s` cost more
    than the query), one parameter per id elsewhere."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def scope_where(user) -> tuple[str, tuple]:
    """The WHERE clause (SQL, params) of the user's unmerged cases, as cases_visible_to
    defines them, compiled once per (database, user, roles) and kept for the process."""
    key = (
        connection.alias,
        user.pk,
        permissions.school_ids_for(user, Action.WORK_CASES),
        permissions.principal_school_ids(user),
    )
    found = _SCOPES.get(key)
    if found is None:
        query = cases_visible_to(user=user).filter(merged_into__isnull=True).query
        sql, params = query.get_compiler(connection=connection).compile(query.where)
        found = (sql, tuple(params))
        if len(_SCOPES) >= _SCOPES_LIMIT:
            _SCOPES.clear()
        _SCOPES[key] = found
    return found


def _queue_sql(queue: str, *, user_id: int, now) -> tuple[str, list]:
    """What puts an open case in a queue, in SQL (the counts' twin of selectors._queue_q)."""
    if queue == "all":
        return "1 = 1", []
    if queue == "mine":
        return f"{_column(Case, 'assignee')} = %s", [user_id]
    if queue == "unassigned":
        return f"{_column(Case, 'assignee')} IS NULL", []
    if queue == "life_safety":
        return f"{_column(Case, 'priority')} = %s", [int(Priority.LIFE_SAFETY)]
    if queue == "overdue":
        return _overdue_sql(now)
    raise ValueError(f"unknown queue {queue!r}")


def _overdue_sql(now) -> tuple[str, list]:
    at = connection.ops.adapt_datetimefield_value(now)
    return (
        f"(({_column(Case, 'acknowledge_due_at')} < %s"
        f" AND {_column(Case, 'acknowledged_at')} IS NULL)"
        f" OR ({_column(Case, 'first_response_due_at')} < %s"
        f" AND {_column(Case, 'first_response_at')} IS NULL))",
        [at, at],
    )


def _open_sql() -> tuple[str, list]:
    marks = ", ".join(["%s"] * len(OPEN_STATUSES))
    return f"{_column(Case, 'status')} IN ({marks})", [str(status) for status in OPEN_STATUSES]


@dataclass(frozen=True)
class QueueCounts:
    counts: dict[str, int]
    cases: int
    newest: int
    versions: int
    life_safety_latest: int


def queue_counts(*, user, now) -> QueueCounts:
    """Every queue's open-case count, and what the live fingerprint is made of (all unmerged
    cases in scope, the newest id, the sum of versions, the newest open life-safety id), in
    one aggregate query."""
    open_sql, open_params = _open_sql()
    columns, params = [], []
    for queue in QUEUES:
        sql, queue_params = _queue_sql(queue, user_id=user.pk, now=now)
        columns.append(f"COUNT(CASE WHEN {open_sql} AND {sql} THEN 1 END)")
        params += open_params + queue_params
    life_safety, life_safety_params = _queue_sql("life_safety", user_id=user.pk, now=now)
    case_id = _column(Case, "id")
    columns += [
        "COUNT(*)",
        f"MAX({case_id})",
        f"SUM({_column(Case, 'version')})",
        f"MAX(CASE WHEN {open_sql} AND {life_safety} THEN {case_id} END)",
    ]
    params += open_params + life_safety_params
    where, where_params = scope_where(user)
    table = connection.ops.quote_name(Case._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {where}",  # noqa: S608 - names only
            [*params, *where_params],
        )
        row = cursor.fetchone()
    counts = {queue: row[index] or 0 for index, queue in enumerate(QUEUES)}
    cases, newest, versions, latest = row[len(QUEUES) :]
    return QueueCounts(counts, cases or 0, newest or 0, int(versions or 0), latest or 0)


@dataclass
class PageExtras:
    """What a page of cases shows beside each case: its tags (in the order they were added),
    the newest words of the tipster on each previewable case (kind 0: a tip, 1: an answer;
    the text still a Fernet token) and the previewable cases whose read by this user is
    already recorded (cases.services.audit.preview_reads_recent)."""

    tags: dict[int, list[str]]
    newest_words: dict[int, str]
    recently_read: set[int]


_PREVIEW_MARK: dict[str, tuple[str, tuple]] = {}


def _recent_reads_sql(*, user, case_ids: list[int], now) -> tuple[str, list]:
    """cases.services.audit.preview_reads_recent as a branch of the page's UNION (case id,
    kind 3). Its JSON condition (`data.what` is "preview"), which PostgreSQL and SQLite
    write differently, is compiled by the ORM once per database; the rest are plain columns,
    and the case ids one parameter. Compared with the service's own query in
    tests/workspace/test_queue_reads.py."""
    mark = _PREVIEW_MARK.get(connection.alias)
    if mark is None:
        query = CaseEvent.objects.filter(data__what="preview").query
        sql, params = query.get_compiler(connection=connection).compile(query.where)
        mark = _PREVIEW_MARK[connection.alias] = (sql, tuple(params))
    within, within_params = _in(_column(CaseEvent, "case"), case_ids)
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    return (
        f"SELECT {_column(CaseEvent, 'case')}, 3, NULL, NULL, 0 FROM {table}"  # noqa: S608
        f" WHERE {_column(CaseEvent, 'actor')} = %s AND {_column(CaseEvent, 'kind')} = %s"
        f" AND {_column(CaseEvent, 'created_at')} >= %s AND {within} AND {mark[0]}"
    ), [
        user.pk,
        str(CaseEvent.Kind.VIEWED),
        connection.ops.adapt_datetimefield_value(now - PREVIEW_READ_WINDOW),
        *within_params,
        *mark[1],
    ]


def page_extras(*, user, case_ids: list[int], preview_ids: list[int], now) -> PageExtras:
    """Tags of `case_ids`; the newest tip and the newest answer of each of `preview_ids`
    (cases the caller may preview, a subset), of which the newer is kept (a tip on a tie),
    its text still encrypted; the preview reads already recorded. One query."""
    extras = PageExtras({}, {}, set())
    if not case_ids:
        return extras
    quote = connection.ops.quote_name
    branches, params = [], []
    if preview_ids:
        for kind, model, stamp, only in (
            (0, Tip, "received_at", ""),
            (1, Message, "created_at", f" AND {quote('direction')} = %s"),
        ):
            table, case, key = (
                quote(model._meta.db_table),
                quote("case_id"),
                quote(model._meta.pk.column),
            )
            within, within_params = _in(f"words.{case}", preview_ids)
            # The newest row per case: the page's cases' rows by the case_id index, each
            # kept if no newer row of its case exists (a correlated MAX on the same index).
            # A join on the grouped ids made PostgreSQL hash-join a scan of the whole table.
            branches.append(
                f"SELECT words.{case}, {kind}, words.{quote(stamp)}, words.{quote('body')}, 0"  # noqa: S608
                f" FROM {table} words WHERE {within}{only.replace(' AND ', ' AND words.', 1)}"
                f" AND words.{key} = (SELECT MAX(newer.{key}) FROM {table} newer"
                f" WHERE newer.{case} = words.{case}{only.replace(' AND ', ' AND newer.', 1)})"
            )
            params += within_params
            if only:
                params += [str(MessageDirection.FROM_REPORTER)] * 2
        reads_sql, reads_params = _recent_reads_sql(user=user, case_ids=preview_ids, now=now)
        branches.append(reads_sql)
        params += reads_params
    within, within_params = _in(quote("case_id"), case_ids)
    branches.append(
        f"SELECT {quote('case_id')}, 2, NULL, {quote('category')}, {quote('id')}"  # noqa: S608
        f" FROM {quote(CaseTag._meta.db_table)} WHERE {within}"
    )
    params += within_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        rows = cursor.fetchall()
    newest: dict[int, tuple] = {}
    tags: list[tuple] = []
    for case_id, kind, at, text, order in rows:
        if kind == 2:
            tags.append((order, case_id, text))
        elif kind == 3:
            extras.recently_read.add(case_id)
        else:
            at = _aware(at)
            held = newest.get(case_id)
            # The newer of the two; a tip on a tie.
            if held is None or (at, -kind) > (held[0], -held[1]):
                newest[case_id] = (at, kind, text)
    for _order, case_id, category in sorted(tags):
        extras.tags.setdefault(case_id, []).append(category)
    extras.newest_words = {case_id: text for case_id, (_at, _kind, text) in newest.items()}
    return extras


# What a queue row shows of a case (selectors.QueueRow), read without model rows.
ROW_FIELDS = (
    "id",
    "reference",
    "status",
    "priority",
    "category",
    "channel",
    "needs_review",
    "created_at",
    "acknowledged_at",
    "first_response_at",
    "acknowledge_due_at",
    "first_response_due_at",
    "school_id",
    "assignee_id",
)
# ... and as plain values with the assignee's name (selectors.case_queue's .values()).
ROW_VALUES = (*ROW_FIELDS, "assignee__full_name", "assignee__email")
_DATETIMES = (
    "created_at",
    "acknowledged_at",
    "first_response_at",
    "acknowledge_due_at",
    "first_response_due_at",
)


class QueuePageRows:
    """One queue's cases under simple filters (no search text), for a Paginator: `count()`
    is one COUNT, a slice one SELECT of the row's columns and the assignee's name. The same
    conditions as selectors.case_queue builds with the ORM (tests/workspace/test_queue_reads.py
    compares the two for every queue and filter)."""

    def __init__(self, *, user, queue: str, filters, now):
        open_only = not filters.status
        conditions, params = [], []
        where, where_params = scope_where(user)
        conditions.append(f"({where})")
        params += where_params
        if open_only:
            sql, more = _open_sql()
            conditions.append(sql)
            params += more
        sql, more = _queue_sql(queue, user_id=user.pk, now=now)
        conditions.append(sql)
        params += more
        for field, value in (
            ("school", filters.school),
            ("status", filters.status),
            ("priority", filters.priority),
            ("channel", filters.channel),
        ):
            if value:
                conditions.append(f"{_column(Case, field)} = %s")
                params.append(value)
        if filters.tag:
            quote = connection.ops.quote_name
            tags = quote(CaseTag._meta.db_table)
            conditions.append(
                f"EXISTS (SELECT 1 FROM {tags} WHERE {tags}.{quote('case_id')}"  # noqa: S608
                f" = {_column(Case, 'id')} AND {tags}.{quote('category')} = %s)"
            )
            params.append(filters.tag)
        if filters.assignee == 0:
            conditions.append(f"{_column(Case, 'assignee')} IS NULL")
        elif filters.assignee:
            conditions.append(f"{_column(Case, 'assignee')} = %s")
            params.append(filters.assignee)
        self.where = " AND ".join(conditions)
        self.params = params

    def count(self) -> int:
        table = connection.ops.quote_name(Case._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {self.where}", self.params)  # noqa: S608
            return cursor.fetchone()[0]

    def __getitem__(self, window: slice) -> list[dict]:
        from accounts.models import User

        quote = connection.ops.quote_name
        table, users = quote(Case._meta.db_table), quote(User._meta.db_table)
        columns = [_column(Case, name.removesuffix("_id")) for name in ROW_FIELDS]
        names = [
            quote(Case._meta.get_field(name.removesuffix("_id")).column) for name in ROW_FIELDS
        ]
        order = ", ".join(_column(Case, name) for name in ("priority", "created_at", "id"))
        page_order = ", ".join(f"page.{quote(name)}" for name in ("priority", "created_at", "id"))
        # The page first, then its assignees' names: joined before the LIMIT, PostgreSQL
        # looked up the assignee of every case in the queue.
        sql = (
            f"SELECT {', '.join(f'page.{name}' for name in names)},"  # noqa: S608
            f" {users}.{quote('full_name')}, {users}.{quote('email')}"
            f" FROM (SELECT {', '.join(columns)} FROM {table} WHERE {self.where}"
            f" ORDER BY {order} LIMIT %s OFFSET %s) page"
            f" LEFT OUTER JOIN {users} ON {users}.{quote('id')} = page.{quote('assignee_id')}"
            f" ORDER BY {page_order}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.params, window.stop - window.start, window.start])
            return _row_values(cursor.fetchall())


def _aware(value):
    """A datetime from a raw SQLite cursor (naive UTC, or text) as the ORM gives it."""
    if value is None:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _row_select(where: str, order: str, limit: int) -> str:
    """A SELECT of queue rows (ROW_FIELDS, the assignee's name and email, and the row's
    place in `order`) under `where`, the first `limit` in that order."""
    from accounts.models import User

    quote = connection.ops.quote_name
    table, users = quote(Case._meta.db_table), quote(User._meta.db_table)
    columns = [_column(Case, name.removesuffix("_id")) for name in ROW_FIELDS]
    columns += [f"{users}.{quote('full_name')}", f"{users}.{quote('email')}"]
    columns.append(f"ROW_NUMBER() OVER (ORDER BY {order})")
    return (
        f"SELECT {', '.join(columns)} FROM {table} LEFT OUTER JOIN {users}"  # noqa: S608
        f" ON {users}.{quote('id')} = {_column(Case, 'assignee')}"
        f" WHERE {where} ORDER BY {order} LIMIT {int(limit)}"
    )


def _row_values(rows) -> list[dict]:
    """Raw queue rows as the ORM's .values(ROW_VALUES) gives them (booleans and aware
    datetimes on SQLite too)."""
    values = [dict(zip(ROW_VALUES, row, strict=True)) for row in rows]
    if connection.vendor != "postgresql":
        for row in values:
            row["needs_review"] = bool(row["needs_review"])
            for name in _DATETIMES:
                row[name] = _aware(row[name])
    return values


def home_rows(*, user, now, limit: int) -> tuple[list[dict], list[dict]]:
    """The home page's two lists as queue rows, in one query: open cases in scope that are
    overdue or life-safety (life-safety first, late before on time, then oldest), and the
    user's own other open cases (oldest first), at most `limit` each. The same lists as
    selectors.cases_needing_attention and cases_assigned_open build with the ORM (compared in
    tests/workspace/test_queue_reads.py)."""
    where, where_params = scope_where(user)
    open_sql, open_params = _open_sql()
    overdue, overdue_params = _overdue_sql(now)
    life_safety, life_safety_params = _queue_sql("life_safety", user_id=user.pk, now=now)
    mine, mine_params = _queue_sql("mine", user_id=user.pk, now=now)
    priority, created_at, case_id = (
        _column(Case, name) for name in ("priority", "created_at", "id")
    )
    late_first = f"{priority}, CASE WHEN {overdue} THEN 0 ELSE 1 END, {created_at}, {case_id}"
    attention_where = f"({where}) AND {open_sql} AND ({overdue} OR {life_safety})"
    attention_params = [*where_params, *open_params, *overdue_params, *life_safety_params]
    table = connection.ops.quote_name(Case._meta.db_table)
    listed = (
        f"SELECT {case_id} FROM {table} WHERE {attention_where}"  # noqa: S608
        f" ORDER BY {late_first} LIMIT {int(limit)}"
    )
    own_where = (
        f"({where}) AND {open_sql} AND {mine}"  # noqa: S608
        f" AND {case_id} NOT IN (SELECT * FROM ({listed}) listed)"
    )
    attention = _row_select(attention_where, late_first, limit)
    own = _row_select(own_where, f"{priority}, {created_at}, {case_id}", limit)
    place = len(ROW_FIELDS) + 4  # the list, the row's fields, two names, its place
    sql = (
        f"SELECT 0, attention.* FROM ({attention}) attention"  # noqa: S608
        f" UNION ALL SELECT 1, own.* FROM ({own}) own ORDER BY 1, {place}"
    )
    params = [
        *overdue_params,  # the place of each row
        *attention_params,
        *overdue_params,  # its ORDER BY
        *where_params,
        *open_params,
        *mine_params,
        *attention_params,
        *overdue_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    lists: tuple[list, list] = ([], [])
    for row in rows:
        lists[row[0]].append(row[1:-1])
    return _row_values(lists[0]), _row_values(lists[1])
