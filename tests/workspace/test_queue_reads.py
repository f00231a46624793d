"""The queue's reads in SQL (workspace/queue_sql.py): every tab counts what its list shows,
on cases sitting on each edge of each queue's definition; the scope compiled once per user and
roles follows a change of roles; a page's previews are decrypted, never cached; the home page
costs a fixed number of queries however many cases it lists."""

import pickle
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Role, User
from cases.models import Case, CaseEvent, CaseStatus, Priority
from tests.factories import case_factory
from workspace import selectors

pytestmark = pytest.mark.django_db

SECRET = "the words only staff of Lincoln may read 7f3a"


def _edge_cases(personas) -> dict[str, Case]:
    now = timezone.now()
    past, future = now - timedelta(hours=1), now + timedelta(hours=1)
    school = personas.school_a
    cases = {
        "mine": case_factory(school, assignee=personas.counselor_a, first_response_due_at=future),
        "life_safety": case_factory(school, priority=Priority.LIFE_SAFETY),
        "ack_late": case_factory(school, acknowledge_due_at=past, acknowledged_at=None),
        "ack_met": case_factory(school, acknowledge_due_at=past, acknowledged_at=past),
        "ack_met_too": case_factory(school, acknowledge_due_at=past, acknowledged_at=past),
        "reply_late": case_factory(school, first_response_due_at=past, first_response_at=None),
        "reply_met": case_factory(school, first_response_due_at=past, first_response_at=past),
        "reply_met_too": case_factory(school, first_response_due_at=past, first_response_at=past),
        "closed": case_factory(
            school,
            status=CaseStatus.CLOSED,
            assignee=personas.counselor_a,
            priority=Priority.LIFE_SAFETY,
        ),
        "other_school": case_factory(personas.school_b, priority=Priority.LIFE_SAFETY),
    }
    cases["merged"] = case_factory(school, merged_into=cases["mine"])
    # Nothing else may make a case overdue by accident: only the two late ones are. The met
    # deadlines come in twos, so a definition that swapped met and unmet would count 3, not 2.
    Case.objects.exclude(id__in=[cases["ack_late"].id, cases["reply_late"].id]).filter(
        acknowledged_at__isnull=True
    ).update(acknowledge_due_at=None)
    Case.objects.filter(first_response_at__isnull=True).exclude(
        id__in=[cases["reply_late"].id, cases["mine"].id]
    ).update(first_response_due_at=None)
    return cases


def _listed(user, queue: str) -> set[int]:
    result = selectors.case_queue(user=user, queue=queue, filters=selectors.QueueFilters())
    return set(result.cases.values_list("id", flat=True))


def test_every_tab_counts_what_its_list_shows_on_each_edge(personas):
    cases = _edge_cases(personas)
    user = personas.counselor_a
    counts = selectors.queue_state_for(user=user).counts
    expected = {
        "mine": {"mine"},
        "unassigned": {
            "life_safety",
            "ack_late",
            "ack_met",
            "ack_met_too",
            "reply_late",
            "reply_met",
            "reply_met_too",
        },
        "life_safety": {"life_safety"},
        "overdue": {"ack_late", "reply_late"},
        "all": {
            "mine",
            "life_safety",
            "ack_late",
            "ack_met",
            "ack_met_too",
            "reply_late",
            "reply_met",
            "reply_met_too",
        },
    }
    for queue, names in expected.items():
        assert _listed(user, queue) == {cases[name].id for name in names}, queue
        assert counts[queue] == len(names), queue


def test_a_principal_counts_only_the_cases_they_may_read(personas):
    cases = _edge_cases(personas)
    escalated = cases["ack_met"]
    CaseEvent.objects.create(
        case=escalated,
        kind=CaseEvent.Kind.ESCALATED,
        data={"to_user_id": personas.principal_a.id},
    )
    principal = User.objects.get(id=personas.principal_a.id)
    state = selectors.queue_state_for(user=principal)
    assert _listed(principal, "all") == {cases["life_safety"].id, escalated.id}
    assert state.counts["all"] == 2
    assert state.life_safety_latest == cases["life_safety"].id


def test_the_kept_scope_follows_a_change_of_roles(personas):
    cases = _edge_cases(personas)
    assert selectors.queue_state_for(user=personas.counselor_a).counts["life_safety"] == 1
    Membership.objects.create(
        user=personas.counselor_a, school=personas.school_b, role=Role.COUNSELOR
    )
    fresh = User.objects.get(id=personas.counselor_a.id)  # roles are read once per request
    state = selectors.queue_state_for(user=fresh)
    assert state.counts["life_safety"] == 2
    assert state.life_safety_latest == cases["other_school"].id


def test_the_fingerprint_moves_when_a_case_changes_or_opens(personas):
    cases = _edge_cases(personas)
    user = personas.counselor_a
    before = selectors.queue_state_for(user=user).fingerprint
    assert selectors.queue_state_for(user=user).fingerprint == before
    Case.objects.filter(id=cases["ack_met"].id).update(version=5)
    changed = selectors.queue_state_for(user=user).fingerprint
    assert changed != before
    case_factory(personas.school_a)
    assert selectors.queue_state_for(user=user).fingerprint != changed


def _cached_bytes() -> bytes:
    # The test settings' cache is Django's local-memory cache: its values are pickles.
    store = cache._cache
    return b"".join(pickle.dumps(key) + value for key, value in store.items())


def test_no_preview_text_is_ever_kept_in_the_cache(client_for, personas):
    case_factory(personas.school_a, body=SECRET, assignee=personas.counselor_a)
    client = client_for(personas.counselor_a)
    for url in ("/staff/cases/", "/staff/", "/staff/cases/?queue=mine&status=new"):
        page = client.get(url).content.decode()
        assert SECRET in page, url  # shown, decrypted for this page
    assert _cached_bytes(), "the pages keep their counts and menus: the check must see them"
    assert SECRET.encode() not in _cached_bytes()


def test_a_page_records_each_preview_read_once_per_window(client_for, personas):
    case = case_factory(personas.school_a, body=SECRET, assignee=personas.counselor_a)
    client = client_for(personas.counselor_a)

    def reads(user) -> int:
        return CaseEvent.objects.filter(
            case=case, kind=CaseEvent.Kind.VIEWED, actor=user, data__what="preview"
        ).count()

    client.get("/staff/cases/")
    client.get("/staff/")
    client.get("/staff/cases/")
    assert reads(personas.counselor_a) == 1
    client_for(personas.district_admin).get("/staff/cases/")
    assert reads(personas.district_admin) == 1
    CaseEvent.objects.filter(data__what="preview").update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    client_for(personas.counselor_a).get("/staff/cases/")  # client_for signs one client in
    assert reads(personas.counselor_a) == 2


def test_the_home_page_costs_the_same_queries_however_many_cases(client_for, personas):
    client = client_for(personas.counselor_a)

    def fill(count: int) -> None:
        for index in range(count):
            case_factory(
                personas.school_a,
                priority=Priority.LIFE_SAFETY if index % 2 else Priority.ROUTINE,
                assignee=personas.counselor_a,
                first_response_due_at=timezone.now() - timedelta(hours=1),
            )

    def queries() -> int:
        CaseEvent.objects.filter(kind=CaseEvent.Kind.VIEWED).delete()  # reads recorded anew
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/").status_code == 200
        return len(captured)

    fill(2)
    client.get("/staff/")  # the navigation's badge counts are cached from here on
    small = queries()
    fill(20)
    assert queries() == small


FILTERS = [
    selectors.QueueFilters(),
    selectors.QueueFilters(status=CaseStatus.CLOSED),
    selectors.QueueFilters(status=CaseStatus.NEW, priority=Priority.LIFE_SAFETY),
    selectors.QueueFilters(tag="weapon"),
    selectors.QueueFilters(channel="sms", assignee=0),
    selectors.QueueFilters(assignee=-1),  # replaced by a real id below
]


@pytest.mark.parametrize("queue", selectors.QUEUES)
def test_a_page_without_search_lists_what_the_orms_queue_lists(personas, queue):
    cases = _edge_cases(personas)
    case_factory(personas.school_a, category="weapon", channel="sms")
    case_factory(personas.school_a, category="weapon", assignee=personas.district_admin)
    for user in (personas.counselor_a, personas.district_admin, personas.principal_a):
        user = User.objects.get(id=user.id)
        for filters in FILTERS:
            if filters.assignee == -1:
                filters = selectors.QueueFilters(assignee=personas.district_admin.id)
            orm = selectors.case_queue(user=user, queue=queue, filters=filters).cases
            expected = list(orm.values_list("id", flat=True))
            _result, rows = selectors.queue_listing(user=user, queue=queue, filters=filters)
            assert rows.count() == len(expected), (user, filters)
            assert [row["id"] for row in rows[0:50]] == expected, (user, filters)
            assert [row["id"] for row in rows[1:3]] == expected[1:3]
    shown = selectors.queue_listing(
        user=personas.counselor_a, queue="all", filters=selectors.QueueFilters()
    )[1][0:50]
    mine = next(row for row in shown if row["id"] == cases["mine"].id)
    assert mine["assignee__full_name"] == personas.counselor_a.full_name
    assert mine["created_at"] == Case.objects.get(id=cases["mine"].id).created_at
    assert mine["needs_review"] is False


def test_the_home_lists_are_the_orms_lists(personas, monkeypatch):
    monkeypatch.setattr(selectors, "HOME_LIST_LIMIT", 3)  # the lists are cut: the cut counts
    cases = _edge_cases(personas)
    for index in range(4):
        case_factory(
            personas.school_a,
            priority=Priority.LIFE_SAFETY if index % 2 else Priority.URGENT,
            assignee=personas.counselor_a,
            first_response_due_at=timezone.now() - timedelta(minutes=index + 1),
        )
    Case.objects.filter(id=cases["mine"].id).update(priority=Priority.URGENT)
    for user in (personas.counselor_a, personas.district_admin, personas.principal_a):
        user = User.objects.get(id=user.id)
        attention = selectors.cases_needing_attention(user=user)
        mine = selectors.cases_assigned_open(user=user, exclude=[case.id for case in attention])
        rows = selectors.home_lists(user=user)
        assert [row.id for row in rows[0]] == [case.id for case in attention], user
        assert [row.id for row in rows[1]] == [case.id for case in mine], user
    counselor = selectors.home_lists(user=personas.counselor_a)
    assert len(counselor[0]) == 3 and counselor[1], "both lists must be exercised"
    assert counselor[0][0].school.name == personas.school_a.name


def test_the_pages_recorded_reads_are_the_services(personas):
    from cases.services.audit import PREVIEW_READ_WINDOW, preview_reads_recent
    from workspace import queue_sql

    now = timezone.now()
    cases = [case_factory(personas.school_a) for _ in range(6)]
    CaseEvent.objects.filter(kind=CaseEvent.Kind.VIEWED).delete()

    def read(case, *, actor=personas.counselor_a, kind=CaseEvent.Kind.VIEWED, what="preview", ago):
        CaseEvent.objects.create(
            case=case, kind=kind, actor=actor, data={"what": what}, created_at=now - ago
        )

    read(cases[0], ago=timedelta(minutes=1))  # recorded: counts
    read(cases[1], ago=PREVIEW_READ_WINDOW + timedelta(seconds=1))  # too old
    read(cases[2], actor=personas.district_admin, ago=timedelta(minutes=1))  # someone else
    read(cases[3], what="case", ago=timedelta(minutes=1))  # the case page, not a preview
    read(cases[4], kind=CaseEvent.Kind.ESCALATED, ago=timedelta(minutes=1))
    ids = [case.id for case in cases]
    expected = set(preview_reads_recent(case_ids=ids, actor=personas.counselor_a, now=now))
    extras = queue_sql.page_extras(
        user=personas.counselor_a, case_ids=ids, preview_ids=ids, now=now
    )
    assert extras.recently_read == expected == {cases[0].id}


def test_the_filter_menus_follow_a_renamed_school_at_once(client_for, personas):
    client = client_for(personas.counselor_a)
    assert "Lincoln High</option>" in client.get("/staff/cases/").content.decode()
    school = personas.school_a
    school.name = "Lincoln High School"
    school.save()
    page = client.get("/staff/cases/").content.decode()
    assert "Lincoln High School</option>" in page
    assert "Lincoln High</option>" not in page


def _newest_words_by_the_orm(case_ids: list[int]) -> dict[int, str]:
    """The previews' rule with the ORM: of each case's newest tip (highest id) and newest
    answer from the tipster (highest id), the one received later; the tip on a tie."""
    from tipline.models import Message, MessageDirection, Tip

    newest = {}
    for case_id in case_ids:
        tip = Tip.objects.filter(case_id=case_id).order_by("-id").first()
        answer = (
            Message.objects.filter(case_id=case_id, direction=MessageDirection.FROM_REPORTER)
            .order_by("-id")
            .first()
        )
        chosen = [(tip.received_at, 1, tip.body)] if tip else []
        if answer is not None:
            chosen.append((answer.created_at, 0, answer.body))
        if chosen:
            newest[case_id] = max(chosen)[2]
    return newest


def test_the_previews_newest_words_are_the_orms_on_ties_and_out_of_order_rows(personas):
    from tipline.models import Message, MessageDirection, Tip
    from tipline.services.tips import message_from_reporter, message_to_reporter
    from workspace import queue_sql

    now = timezone.now().replace(microsecond=0)
    cases = [case_factory(personas.school_a, body=f"tip {n}", alias="Fox") for n in range(6)]

    def answer(case, words, at):
        reporter = case.tips.get().reporter
        message = message_from_reporter(case=case, reporter=reporter, body=words, channel="web")
        Message.objects.filter(id=message.id).update(created_at=at)

    for case in cases:
        Tip.objects.filter(case=case).update(received_at=now)
    answer(cases[0], "an answer at the tip's very moment", now)  # a tie: the tip
    answer(cases[1], "an answer a microsecond later", now + timedelta(microseconds=1))
    answer(cases[2], "an answer a second earlier", now - timedelta(seconds=1))
    # The newest answer is the highest id, even when an older id says a later time.
    answer(cases[3], "the older answer, dated later", now + timedelta(minutes=2))
    answer(cases[3], "the newest answer", now + timedelta(minutes=1))
    reply = message_to_reporter(
        case=cases[4],
        reporter=cases[4].tips.get().reporter,
        body="a counselor's reply",
        author=personas.counselor_a,
    )
    Message.objects.filter(id=reply.id).update(created_at=now + timedelta(hours=1))
    assert reply.direction == MessageDirection.TO_REPORTER
    # cases[5]: a tip alone.
    ids = [case.id for case in cases]
    extras = queue_sql.page_extras(
        user=personas.counselor_a, case_ids=ids, preview_ids=ids, now=timezone.now()
    )
    body = Tip._meta.get_field("body")
    found = {
        case_id: body.from_db_value(sealed, None, connection)
        for case_id, sealed in extras.newest_words.items()
    }
    expected = _newest_words_by_the_orm(ids)
    assert found == expected
    assert expected[cases[0].id] == "tip 0"
    assert expected[cases[1].id] == "an answer a microsecond later"
    assert expected[cases[2].id] == "tip 2"
    assert expected[cases[3].id] == "the newest answer"
    assert expected[cases[4].id] == "tip 4"
    # Previews only where asked: tags for every case, words for the previewable ones.
    extras = queue_sql.page_extras(
        user=personas.counselor_a, case_ids=ids, preview_ids=ids[:2], now=timezone.now()
    )
    assert set(extras.newest_words) == set(ids[:2])
    assert set(extras.tags) == set(ids)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders: PostgreSQL")
def test_the_fast_timestamp_loader_reads_what_djangos_reads():
    from workspace import queue_sql

    texts = [
        "2026-12-01 03:59:45.123456+00",
        "2026-12-01 03:59:45.12+00",
        "2026-12-01 03:59:45.1+00",
        "2026-12-01 03:59:45.000001+00",
        "2026-12-01 03:59:45+00",
        "2026-03-29 01:30:00+01",  # not UTC: written in the session's zone below
        "2026-10-25 01:30:00.5+00",
        "1901-12-13 20:45:52+00",
        "9999-12-31 23:59:59.999999+00",
        "2024-02-29 12:00:00+00",
    ]
    # PostgreSQL writes every value itself (its rounding, its trimmed fractions), then
    # some of its own: now(), a range of microseconds, infinity and a BC date.
    query = (
        "SELECT value FROM (SELECT unnest(%s::timestamptz[]) AS value"
        " UNION ALL SELECT now()"
        " UNION ALL SELECT timestamptz '2026-01-01 00:00:00+00' + n * interval '1.000137 second'"
        " FROM generate_series(0, 400) AS n) stamps"
    )
    odd = [
        "SELECT 'infinity'::timestamptz",
        "SELECT '-infinity'::timestamptz",
        "SELECT '0044-03-15 12:00:00+00 BC'::timestamptz",
        "SELECT '0001-01-01 00:00:00+00'::timestamptz",
    ]

    def read(sql, params=(), fast=True, zone="UTC"):
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL TIME ZONE '{zone}'")
            if fast:
                queue_sql._read_stamps_fast(cursor)
            try:
                cursor.execute(sql, params)
                return [row[0] for row in cursor.fetchall()]
            except Exception as error:  # both loaders must fail alike
                return type(error)

    for zone in ("UTC", "Europe/London", "America/Denver"):
        fast, plain = read(query, [texts], True, zone), read(query, [texts], False, zone)
        assert len(fast) == len(texts) + 402
        assert fast == plain, zone
        assert [value.isoformat() for value in fast] == [value.isoformat() for value in plain]
        assert [value.tzinfo for value in fast] == [value.tzinfo for value in plain]
        assert [value.fold for value in fast] == [value.fold for value in plain]
        for sql in odd:
            assert read(sql, (), True, zone) == read(sql, (), False, zone), (sql, zone)
