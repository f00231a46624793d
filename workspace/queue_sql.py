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

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from django.db import connection
from django.utils.dateparse import parse_datetime

from accounts import permissions
from accounts.kept import Kept, compiled_where
from accounts.permissions import Action
from cases.models import OPEN_STATUSES, Case, CaseEvent, CaseTag, Priority
from cases.selectors import cases_visible_to
from cases.services.audit import PREVIEW_READ_WINDOW
from tipline.models import Message, MessageDirection, Tip

QUEUES = ("mine", "unassigned", "life_safety", "overdue", "all")

_SCOPES: Kept = Kept(2000)


_COLUMNS: dict[tuple, str] = {}


def _column(model, name: str) -> str:
    """A model field's column, quoted and qualified by its table (kept per database vendor:
    a page asks for some forty)."""
    key = (connection.vendor, model, name)
    found = _COLUMNS.get(key)
    if found is None:
        quote = connection.ops.quote_name
        found = _COLUMNS[key] = (
            f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(name).column)}"
        )
    return found


def _in(column: str, ids: list[int]) -> tuple[str, list]:
    """`column IN (ids)`: one array parameter on PostgreSQL (psycopg splits a query's
    placeholders with a regular expression, uncached for a long query: fifty `%s` cost more
    than the query), one parameter per id elsewhere. The array goes as its text form, one
    string (psycopg dumps a list of ints item by item in Python, a tenth of a millisecond
    per list of fifty); the ids are ints, each made so by int()."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(str(int(i)) for i in ids) + "}"]
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
    return _SCOPES.keep(
        key, lambda: compiled_where(cases_visible_to(user=user).filter(merged_into__isnull=True))
    )


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


_COUNTED = (
    "id",
    "version",
    "assignee",
    "priority",
    "acknowledge_due_at",
    "acknowledged_at",
    "first_response_due_at",
    "first_response_at",
)


@dataclass(frozen=True)
class _KeptCounts:
    """A user's counts as one aggregate found them: under the stamps of the user's schools
    read in the same statement, good from `since` to `until` (the next due time of an open
    case: a moment later it counts as overdue; None: no such case)."""

    stamps: str | None
    since: datetime
    until: datetime | None
    counts: QueueCounts


# Per process, per (database, user, schools): counts of cases, never a word of their text.
_COUNTS: Kept = Kept(2000)
# The vendors whose migrations install cases.QueueStamp's triggers (cases/migrations/0006).
_STAMPED = frozenset({"postgresql", "sqlite"})


def _counts_key(user) -> tuple | None:
    """Where a user's counts are kept, or None when they are not: a principal's cases
    include those escalated to them (a CaseEvent, which no stamp follows), and a database
    without the stamps' triggers has nothing to check a kept count against."""
    if connection.vendor not in _STAMPED or permissions.principal_school_ids(user):
        return None
    schools = permissions.school_ids_for(user, Action.WORK_CASES)
    if not schools:
        return None
    return (connection.alias, user.pk, tuple(sorted(schools)))


def queue_counts(*, user, now) -> QueueCounts:
    """Every queue's open-case count, and what the live fingerprint is made of (all unmerged
    cases in scope, the newest id, the sum of versions, the newest open life-safety id), in
    one aggregate query.

    The cases in scope are read once in a subquery that says whether each is open (the
    status test is evaluated once per case, not once per count) and is named as the case
    table, so each queue's condition (`_queue_sql`, the same text as the page's) reads its
    columns. On PostgreSQL `OFFSET 0` keeps the planner from folding the subquery back in,
    which would evaluate the status test once per count again (2.2 ms against 0.9-1.5 ms
    over 2,000 cases, psql's timing).

    The counts are kept per process under the stamps of the user's schools
    (cases.QueueStamp: a new value with every committed write to one of their cases), read
    in the same statement. While a kept count is good for `now` (from when it was counted to
    the next due time), the statement carries the stamps it was kept under: the cases are
    scanned only if a stamp differs (a one-time filter), so an unchanged queue costs the
    stamps' lookups, not the scan, and every page still makes this one query. The queue
    page itself reads them with its rows (QueuePageRows.counted_page)."""
    statement = _counts_statement(user=user, now=now)
    with _cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return statement.finish(cursor.fetchone())


@dataclass(frozen=True)
class _CountsStatement:
    """queue_counts' statement: its SQL and parameters, how many columns its one row has,
    and what makes the QueueCounts of that row (and keeps them)."""

    sql: str
    params: list
    width: int
    finish: Callable[[tuple], QueueCounts]


def _counts_statement(*, user, now) -> _CountsStatement:
    """The aggregate of queue_counts, to run alone or beside a page of rows."""
    key = _counts_key(user)
    kept = _COUNTS.get(key) if key is not None else None
    if kept is not None and not (kept.since <= now and (kept.until is None or now <= kept.until)):
        kept = None
    quote = connection.ops.quote_name
    open_sql, open_params = _open_sql()
    flag = quote("open_case")
    columns, params = [], []
    for queue in QUEUES:
        sql, queue_params = _queue_sql(queue, user_id=user.pk, now=now)
        columns.append(f"COUNT(CASE WHEN {flag} AND {sql} THEN 1 END)")
        params += queue_params
    life_safety, life_safety_params = _queue_sql("life_safety", user_id=user.pk, now=now)
    case_id = _column(Case, "id")
    columns += [
        "COUNT(*)",
        f"MAX({case_id})",
        f"SUM({_column(Case, 'version')})",
        f"MAX(CASE WHEN {flag} AND {life_safety} THEN {case_id} END)",
    ]
    params += life_safety_params
    where, where_params = scope_where(user)
    if key is not None:
        at = connection.ops.adapt_datetimefield_value(now)
        for due, done in (
            ("acknowledge_due_at", "acknowledged_at"),
            ("first_response_due_at", "first_response_at"),
        ):
            due_column, done_column = _column(Case, due), _column(Case, done)
            columns.append(
                f"MIN(CASE WHEN {flag} AND {done_column} IS NULL AND {due_column} >= %s"
                f" THEN {due_column} END)"
            )
            params.append(at)
        stamps_sql, stamps_params = _stamps_sql(key[2])
        columns.append(stamps_sql)
        params += stamps_params
        if kept is not None:
            # Scan the cases only if a stamp moved (no Vars: a one-time filter on PostgreSQL).
            same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
            where = f"({where}) AND NOT ({stamps_sql} {same} %s)"
            where_params = (*where_params, *stamps_params, kept.stamps)
    table = quote(Case._meta.db_table)
    read = ", ".join(quote(Case._meta.get_field(name).column) for name in _COUNTED)
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    sql = (
        f"SELECT {', '.join(columns)} FROM (SELECT {read}, {open_sql} AS {flag}"  # noqa: S608
        f" FROM {table} WHERE {where}{fence}) {table}"
    )
    return _CountsStatement(
        sql,
        [*params, *open_params, *where_params],
        len(columns),
        lambda row: _counted(row, key=key, kept=kept, now=now),
    )


def _counted(row: tuple, *, key, kept, now) -> QueueCounts:
    """The QueueCounts of the aggregate's row: the kept ones if the stamps read with it are
    those they were kept under, else the row's (kept in their turn)."""
    if key is not None:
        read = row[-1]
        if kept is not None and read == kept.stamps:
            return kept.counts
        row = row[:-1]
        dues = [_aware(due) for due in row[-2:] if due is not None]
        row = row[:-2]
    counts = {queue: row[index] or 0 for index, queue in enumerate(QUEUES)}
    cases, newest, versions, latest = row[len(QUEUES) :]
    found = QueueCounts(counts, cases or 0, newest or 0, int(versions or 0), latest or 0)
    if key is not None:
        if len(_COUNTS) >= _COUNTS.limit:
            _COUNTS.clear()
        _COUNTS[key] = _KeptCounts(read, now, min(dues, default=None), found)
    return found


def _stamps_sql(school_ids) -> tuple[str, list]:
    """One scalar subquery: the stamps of the schools' cases as one text, "school:stamp"
    pairs in the schools' order (a school none of whose cases was ever written since the
    stamps began has no pair). Equal texts mean equal stamps, whatever the number of
    schools (one subquery per school cost a district admin of 40 schools 2 ms of planning)."""
    from cases.models import QueueStamp

    quote = connection.ops.quote_name
    table = quote(QueueStamp._meta.db_table)
    school, stamp = quote("school_id"), quote("stamp")
    within, params = _in(school, list(school_ids))
    pair = f"CAST({school} AS TEXT) || ':' || CAST({stamp} AS TEXT)"
    if connection.vendor == "postgresql":
        sql = (
            f"(SELECT string_agg({pair}, ',' ORDER BY {school}) FROM {table}"  # noqa: S608
            f" WHERE {within})"
        )
    else:
        sql = (
            f"(SELECT group_concat(pair, ',') FROM (SELECT {pair} AS pair FROM {table}"  # noqa: S608
            f" WHERE {within} ORDER BY {school}))"
        )
    return sql, params


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
        mark = _PREVIEW_MARK[connection.alias] = compiled_where(
            CaseEvent.objects.filter(data__what="preview")
        )
    within, within_params = _in(_column(CaseEvent, "case"), case_ids)
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    return (
        f"SELECT {_column(CaseEvent, 'case')}, 3, NULL, 0 FROM {table}"  # noqa: S608
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
    its text still encrypted; the preview reads already recorded. One query.

    The newer of the two is picked in SQL (a window over the two rows of each case), so no
    timestamp comes back to Python to be compared: parsing them cost more than the query."""
    extras = PageExtras({}, {}, set())
    if not case_ids:
        return extras
    quote = connection.ops.quote_name
    branches, params = [], []
    if preview_ids:
        newest, newest_params = [], []
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
            newest.append(
                f"SELECT words.{case} AS case_id, {kind} AS kind,"  # noqa: S608
                f" words.{quote(stamp)} AS stamp, words.{quote('body')} AS body"
                f" FROM {table} words WHERE {within}{only.replace(' AND ', ' AND words.', 1)}"
                f" AND words.{key} = (SELECT MAX(newer.{key}) FROM {table} newer"
                f" WHERE newer.{case} = words.{case}{only.replace(' AND ', ' AND newer.', 1)})"
            )
            newest_params += within_params
            if only:
                newest_params += [str(MessageDirection.FROM_REPORTER)] * 2
        # Of each case's newest tip and newest answer, the newer; the tip (kind 0) on a tie.
        branches.append(
            "SELECT case_id, kind, body, 0 FROM (SELECT case_id, kind, body,"  # noqa: S608
            " ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY stamp DESC, kind) AS place"
            f" FROM ({' UNION ALL '.join(newest)}) words) newest WHERE place = 1"
        )
        params += newest_params
        reads_sql, reads_params = _recent_reads_sql(user=user, case_ids=preview_ids, now=now)
        branches.append(reads_sql)
        params += reads_params
    within, within_params = _in(quote("case_id"), case_ids)
    branches.append(
        f"SELECT {quote('case_id')}, 2, {quote('category')}, {quote('id')}"  # noqa: S608
        f" FROM {quote(CaseTag._meta.db_table)} WHERE {within}"
    )
    params += within_params
    with _cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        rows = cursor.fetchall()
    tags: list[tuple] = []
    for case_id, kind, text, order in rows:
        if kind == 2:
            tags.append((order, case_id, text))
        elif kind == 3:
            extras.recently_read.add(case_id)
        else:
            extras.newest_words[case_id] = text
    for _order, case_id, category in sorted(tags):
        extras.tags.setdefault(case_id, []).append(category)
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
        self.now = now
        self.params = params
        self._read: tuple | None = None  # (start, stop, rows) read by counted_page

    def count(self) -> int:
        table = connection.ops.quote_name(Case._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {self.where}", self.params)  # noqa: S608
            return cursor.fetchone()[0]

    def _page_sql(self, start: int, stop: int) -> tuple[str, list]:
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
        return sql, [*self.params, stop - start, start]

    def __getitem__(self, window: slice) -> list[dict]:
        read = self._read
        if read is not None and window.start == read[0] and window.stop <= read[1]:
            # Read with the counts (counted_page): the Paginator's slice of that page.
            return read[2][: window.stop - window.start]
        sql, params = self._page_sql(window.start, window.stop)
        with _cursor() as cursor:
            cursor.execute(sql, params)
            return _row_values(cursor.fetchall())

    def counted_page(self, *, user, now, start: int, stop: int) -> QueueCounts:
        """queue_counts(user, now) and the rows [start:stop], in one statement: the counts'
        one row joined to the page's rows (a one-row join: with no rows on the page, the
        counts alone). The rows are kept for the Paginator's slice that starts at `start`
        and ends at or before `stop` (the page's own, the last page's shorter one); any
        other slice is read as before. One round trip for a refresh of the queue instead
        of two; both read in one snapshot."""
        counts = _counts_statement(user=user, now=now)
        page, page_params = self._page_sql(start, stop)
        quote = connection.ops.quote_name
        order = ", ".join(f"paged.{quote(name)}" for name in ("priority", "created_at", "id"))
        sql = (
            f"SELECT counted.*, paged.* FROM ({counts.sql}) counted"  # noqa: S608
            f" LEFT OUTER JOIN ({page}) paged ON 1 = 1 ORDER BY {order}"
        )
        with _cursor() as cursor:
            cursor.execute(sql, [*counts.params, *page_params])
            rows = cursor.fetchall()
        found = counts.finish(rows[0][: counts.width])
        page_rows = [row[counts.width :] for row in rows if row[counts.width] is not None]
        self._read = (start, stop, _row_values(page_rows))
        return found


_FAST_STAMP_LOADERS: dict[type, type] = {}


def _fast_stamp_loader(base: type) -> type:
    """`base` (the timestamptz loader Django registered on the connection: psycopg's
    pure-Python parser, a regular expression and eight int() per value, then Django's
    replace(tzinfo=...)) with a fast path for what a UTC session sends: "YYYY-MM-DD
    HH:MM:SS[.ffffff]+00", parsed by datetime.fromisoformat (C) and given the same tzinfo
    Django gives it. Anything else (another session zone, another DateStyle, BC dates, years
    past 9999, infinity) goes to `base` unchanged. tests/workspace/test_queue_reads.py
    compares both loaders over timestamps PostgreSQL itself wrote."""
    fast = _FAST_STAMP_LOADERS.get(base)
    if fast is not None:
        return fast

    class FastTimestamptzLoader(base):
        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            # "+00" means an offset of 0 in the session's zone; only in UTC itself is every
            # such value's local time its UTC time, with no fold to carry.
            self._fast = str(self._timezone) in {"UTC", "Etc/UTC"}

        def load(self, data):
            if self._fast:
                text = bytes(data)
                if text[-3:] == b"+00" and text[:1].isdigit():
                    try:
                        # "+00" parses as datetime.timezone.utc itself, Django's zone when
                        # its database time zone is UTC: then nothing is left to replace.
                        moment = datetime.fromisoformat(text.decode("ascii"))
                    except ValueError:
                        pass
                    else:
                        if self.timezone is UTC:
                            return moment
                        return moment.replace(tzinfo=self.timezone)
            return super().load(data)

    _FAST_STAMP_LOADERS[base] = FastTimestamptzLoader
    return FastTimestamptzLoader


def _read_stamps_fast(cursor) -> None:
    """On PostgreSQL, let this cursor (a Django cursor over psycopg) read timestamptz values
    with _fast_stamp_loader. The connection and every other cursor are left as they are."""
    if connection.vendor != "postgresql":
        return
    from psycopg.pq import Format

    adapters = cursor.cursor.adapters
    base = adapters.get_loader(_TIMESTAMPTZ_OID, Format.TEXT)
    if base is not None and base not in _FAST_STAMP_LOADERS.values():
        adapters.register_loader(_TIMESTAMPTZ_OID, _fast_stamp_loader(base))


_TIMESTAMPTZ_OID = 1184  # psycopg.postgres.types["timestamptz"].oid


@contextmanager
def _cursor():
    """connection.cursor() for the queue's statements. On PostgreSQL, where the connection
    allows prepared statements (settings: DB_PREPARED_STATEMENTS, on by default; psycopg's
    `prepare_threshold` is then set, else None), each statement is prepared on its first run
    and reused by every later run on the same connection: PostgreSQL parses and analyses
    the text once, and plans once where it judges a generic plan as good (the previews'
    UNION does; the counts stay planned per run). That saves ~0.7 ms of a queue page's
    ~6.5 ms (docs/performance.md, "Sixth pass"). Only these cursors prepare: Django's own
    cursors bind on the client and never do. The statements' texts are few (values are
    parameters; psycopg keeps at most 100 per connection and deallocates the oldest). Every
    query still goes through Django's cursor wrapper (logged, counted, execute_wrappers).
    Timestamps are read by _fast_stamp_loader either way."""
    with connection.cursor() as cursor:
        raw = connection.connection
        if connection.vendor == "postgresql" and raw.prepare_threshold is not None:
            from psycopg.pq import Format

            client = cursor.cursor
            preparing = _preparing_cursor_class()(raw)
            # The session-zone loader Django may have set on its cursor (create_cursor).
            loader = client.adapters.get_loader(_TIMESTAMPTZ_OID, Format.TEXT)
            if loader is not None:
                preparing.adapters.register_loader(_TIMESTAMPTZ_OID, loader)
            cursor.cursor = preparing
            client.close()
        _read_stamps_fast(cursor)
        yield cursor


@cache
def _preparing_cursor_class() -> type:
    """A psycopg cursor with server-side binding that asks for every statement it runs to be
    prepared (psycopg prepares it on first use when the connection's threshold is set)."""
    import psycopg

    class SentQuery:
        """What Django's debug log reads of a cursor's last query (its
        last_executed_query reads `cursor._query.query`), which psycopg records only
        for statements it sends unprepared: composed with its values, as Django logs
        every other query, and only if something reads it."""

        def __init__(self, connection, sql, params):
            self._connection, self._sql, self._params = connection, sql, params
            self.params = None

        @property
        def query(self) -> bytes:
            composer = psycopg.ClientCursor(self._connection)
            try:
                return composer.mogrify(self._sql, self._params).encode()
            finally:
                composer.close()

    class PreparingCursor(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            super().execute(query, params, prepare=True, binary=binary)
            if self._query is None:
                self._query = SentQuery(self.connection, query, params)
            return self

    return PreparingCursor


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
    with _cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    lists: tuple[list, list] = ([], [])
    for row in rows:
        lists[row[0]].append(row[1:-1])
    return _row_values(lists[0]), _row_values(lists[1])
