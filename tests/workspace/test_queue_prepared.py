"""On PostgreSQL the queue's and home page's statements are prepared once per connection
(workspace.queue_sql._cursor) and draw exactly what the same statements draw unprepared;
DB_PREPARED_STATEMENTS=false turns it off; Django's query log still shows each statement with
its values."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import case_factory
from tipline.services.tips import message_from_reporter

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)

TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
PAGES = [
    "/staff/cases/",
    "/staff/cases/?page=2",
    "/staff/cases/?queue=unassigned",
    "/staff/cases/?category=weapon",
    "/staff/cases/live/?since=stale",
    "/staff/",
]


def _prepared_texts() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def busy_school(personas):
    for index in range(60):
        case = case_factory(
            personas.school_a,
            category=("weapon", "bullying", "other")[index % 3],
            body=f"tip number {index}: someone said something about the gym",
            alias=f"Tipster {index}",
        )
        if index % 4 == 0:
            tip = case.tips.get()
            message_from_reporter(
                case=case, reporter=tip.reporter, body=f"more about it, {index}", channel="web"
            )
    return personas


def _draw(client) -> list[str]:
    pages = []
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(TOKEN.sub(r"\1…", response.content.decode()))
    return pages


@postgresql_only
@pytest.mark.django_db
def test_prepared_statements_draw_the_same_pages_as_unprepared(
    client_for, busy_school, monkeypatch
):
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    client = client_for(busy_school.counselor_a)
    raw = connection.connection
    assert raw.prepare_threshold is not None  # settings: DB_PREPARED_STATEMENTS on by default
    prepared = _draw(client)
    texts = _prepared_texts()
    # The counts with the page, the previews' union, the rows of a filtered page, the counts
    # alone (live check) and the home page's lists: each prepared once, reused after.
    assert any("open_case" in text and "LIMIT" in text for text in texts), texts
    assert any("PARTITION BY case_id" in text for text in texts), texts
    assert all("$1" in text for text in texts)
    before = len(texts)
    assert _draw(client) == prepared
    assert len(_prepared_texts()) == before  # the same statements again, not new ones
    monkeypatch.setattr(raw, "prepare_threshold", None)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    raw._prepared.clear()  # psycopg's own list of what it prepared, now deallocated
    assert _draw(client) == prepared
    assert _prepared_texts() == []
    assert "tip number" in prepared[0] and "more about it" in prepared[0]


@postgresql_only
@pytest.mark.django_db
def test_the_query_log_shows_prepared_statements_with_their_values(client_for, busy_school):
    client = client_for(busy_school.counselor_a)
    client.get("/staff/cases/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/staff/cases/")
    logged = [query["sql"] for query in captured.captured_queries]
    assert all(logged), logged  # Django logs None for a query it cannot show
    statements = [sql for sql in logged if "open_case" in sql or "PARTITION BY" in sql]
    assert len(statements) == 2, logged
    assert all("%s" not in sql and "$1" not in sql for sql in statements), statements
    assert "= ANY('{" in statements[1]  # the page's case ids, as values


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("setting", "expected"), [("", "2147483647"), ("false", "None")])
def test_the_setting_turns_preparing_off(setting, expected):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
        "DB_PREPARED_STATEMENTS": setting,
    }
    if not setting:
        del env["DB_PREPARED_STATEMENTS"]
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            " print(settings.DATABASES['default']['OPTIONS'].get('prepare_threshold'))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == expected
