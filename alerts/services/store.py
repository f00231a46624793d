"""How ingest reads and writes posts and alerts in bulk: PostgreSQL's COPY and upserts where
it can, the ORM elsewhere.

Contract: the caller holds the source's row lock for the whole transaction (posts_ingest does),
so `known_external_ids` sees every post stored for the source and `posts_write` is only
handed new external ids. The unique constraint on (source, external id) stays the backstop:
a write that would duplicate a post fails loudly instead of storing it twice.

The fast path (PostgreSQL, unless settings.ALERTS_INGEST_COPY is False) streams the rows
with one COPY while the caller is still scoring the next ones, so the database server works
on its own core meanwhile, and raises or grows every alert group of a batch in one
INSERT ... ON CONFLICT statement (which also makes two sources raising the same group at once
safe). The portable path (SQLite: the demo and the test suite) is one bulk_create of posts,
then a lookup, a bulk_create and an update for the alerts. Both store the same rows; the tests
run the ingest suite through each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Case, F, PositiveIntegerField, Q, Value, When

from alerts.models import Alert, Post

# (external_id, author_handle, text, url, posted_at, fingerprint, score, severity)
PostRow = tuple[str, str, str, str, datetime | None, str, float, str]

_ROW_FIELDS = (
    "external_id",
    "author_handle",
    "text",
    "url",
    "posted_at",
    "fingerprint",
    "score",
    "severity",
)


_TYPE_SIZE = re.compile(r"\(.*\)")


def copy_path_enabled() -> bool:
    """Whether posts go through COPY (PostgreSQL) rather than the ORM."""
    return connection.vendor == "postgresql" and getattr(settings, "ALERTS_INGEST_COPY", True)


def _copy_plan() -> tuple[str, list[str]]:
    """The COPY statement and the column types its binary rows are encoded as. Binary, since
    the text format costs the client (and the server, parsing it) several times as much."""
    meta = Post._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in ("source", *_ROW_FIELDS, "received_at")]
    columns = ", ".join(quote(field.column) for field in fields)
    # "varchar(300)" -> "varchar", "bigint", "timestamp with time zone"...
    types = [_TYPE_SIZE.sub("", field.db_type(connection)) for field in fields]
    return f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN (FORMAT BINARY)", types


def _known_statement() -> str:
    meta = Post._meta
    quote = connection.ops.quote_name
    external_id = quote(meta.get_field("external_id").column)
    source = quote(meta.get_field("source").column)
    # Identifiers come from the model's meta, quoted; the values are parameters.
    words = ("SELECT", external_id, "FROM", quote(meta.db_table), "WHERE", source, "= %s AND")
    return " ".join((*words, external_id, "= ANY(%s::varchar[])"))


def known_external_ids(*, source_id: int, external_ids: list[str]) -> set[str]:
    """Which of `external_ids` the source has already stored."""
    if not external_ids:
        return set()
    if copy_path_enabled():
        # One array parameter instead of an IN list of up to 1,000 quoted literals.
        with connection.cursor() as cursor:
            cursor.execute(_known_statement(), [source_id, external_ids])
            return {row[0] for row in cursor.fetchall()}
    return set(
        Post.objects.filter(source_id=source_id, external_id__in=external_ids).values_list(
            "external_id", flat=True
        )
    )


def posts_write(*, source_id: int, received_at: datetime, rows: Iterable[PostRow]) -> int:
    """Store `rows` (new posts of the source) and return how many were written.

    `rows` is consumed lazily on the COPY path: a generator that scores as it yields keeps
    the client and the database busy at the same time.
    """
    if copy_path_enabled():
        written = 0
        statement, types = _copy_plan()
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row((source_id, *row, received_at))
                written += 1
        return written
    posts = [Post(source_id=source_id, received_at=received_at, **_fields(row)) for row in rows]
    Post.objects.bulk_create(posts, batch_size=1000)
    return len(posts)


def _fields(row: PostRow) -> dict:
    return dict(zip(_ROW_FIELDS, row, strict=True))


def post_ids_for(*, source_id: int, external_ids: Iterable[str]) -> dict[str, int]:
    """The ids of the source's posts with these external ids."""
    wanted = list(set(external_ids))
    if not wanted:
        return {}
    return dict(
        Post.objects.filter(source_id=source_id, external_id__in=wanted).values_list(
            "external_id", "id"
        )
    )


@dataclass
class AlertGroup:
    """One (school, group key) a batch alerts: the first new post and the alert fields it
    raised, and how many of the batch's posts belong to the group."""

    external_id: str
    fields: dict
    count: int = 1


def alerts_add(
    *, source_id: int, groups: Mapping[tuple[int, str], AlertGroup], now: datetime
) -> int:
    """Raise an alert for each group that has none yet, and grow the groups that have one
    (group_size and last_seen_at only: a dismissed group stays dismissed). Returns how many
    alerts were raised. A raised alert carries its post's source (`source_id`), which the
    summaries count by."""
    if not groups:
        return 0
    if copy_path_enabled():
        return _alerts_upsert(source_id, groups, now)
    existing = set(
        Alert.objects.filter(
            school_id__in={school_id for school_id, _ in groups},
            group_key__in={key for _, key in groups},
        ).values_list("school_id", "group_key")
    )
    fresh = {group: spec for group, spec in groups.items() if group not in existing}
    post_ids = post_ids_for(
        source_id=source_id, external_ids=(spec.external_id for spec in fresh.values())
    )
    Alert.objects.bulk_create(
        [
            Alert(
                post_id=post_ids[spec.external_id],
                source_id=source_id,
                group_key=key,
                group_size=spec.count,
                created_at=now,
                last_seen_at=now,
                **spec.fields,
            )
            for (_, key), spec in fresh.items()
        ],
        batch_size=500,
    )
    grown = {group: spec.count for group, spec in groups.items() if group in existing}
    if grown:
        matching = Q()
        for school_id, key in grown:
            matching |= Q(school_id=school_id, group_key=key)
        increment = Case(
            *(
                When(school_id=school_id, group_key=key, then=Value(count))
                for (school_id, key), count in grown.items()
            ),
            output_field=PositiveIntegerField(),
        )
        Alert.objects.filter(matching).update(
            group_size=F("group_size") + increment, last_seen_at=now
        )
    return len(fresh)


def _alerts_upsert(source_id: int, groups: Mapping[tuple[int, str], AlertGroup], now) -> int:
    fields = [f for f in Alert._meta.concrete_fields if not f.primary_key and f.name != "post"]
    columns: list[list] = [[] for _ in fields]
    external_ids = []
    for (_, key), spec in groups.items():
        # The model's defaults (status "new", no reviewer...) and its fields' own adaptation
        # (JSON, datetimes): what bulk_create would send.
        alert = Alert(
            source_id=source_id,
            group_key=key,
            group_size=spec.count,
            created_at=now,
            last_seen_at=now,
            **spec.fields,
        )
        external_ids.append(spec.external_id)
        for column, field in zip(columns, fields, strict=True):
            column.append(field.get_db_prep_save(getattr(alert, field.attname), connection))
    # Server-side binding: the arrays (JSON ones too) travel as parameters instead of being
    # quoted into the statement's text, which cost more than the statement itself.
    with connection.cursor() as wrapper, psycopg.Cursor(wrapper.connection) as cursor:
        cursor.execute(_upsert_statement(fields), [source_id, *columns, external_ids])
        return sum(1 for (inserted,) in cursor.fetchall() if inserted)


def _upsert_statement(fields) -> str:
    """One statement for a whole batch's alert groups, the same text whatever their number:
    each column is one array parameter, and each post id is looked up by the unique index."""
    quote = connection.ops.quote_name
    meta, post_meta = Alert._meta, Post._meta
    table, posts = quote(meta.db_table), quote(post_meta.db_table)
    names = [f"c{n}" for n in range(len(fields))]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    def post_column(name: str) -> str:
        return "p." + quote(post_meta.get_field(name).column)

    size, seen = column("group_size"), column("last_seen_at")
    # Identifiers come from the models' meta, quoted; every value is a parameter.
    return " ".join(
        (
            f"INSERT INTO {table} ({column('post')}, {', '.join(quote(f.column) for f in fields)})",
            "SELECT (SELECT",
            post_column("id"),
            f"FROM {posts} p WHERE {post_column('source')} = %s",
            f"AND {post_column('external_id')} = v.external_id),",
            ", ".join(f"v.{name}" for name in names),
            f"FROM unnest({arrays}, %s::text[]) AS v({', '.join(names)}, external_id)",
            f"ON CONFLICT ({column('school')}, {column('group_key')}) DO UPDATE SET",
            f"{size} = {table}.{size} + EXCLUDED.{size}, {seen} = EXCLUDED.{seen}",
            "RETURNING (xmax = 0)",
        )
    )
