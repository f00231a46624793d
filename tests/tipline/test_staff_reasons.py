"""Staff reasons (reopen, assignment, priority) are encrypted like notes, kept out of the
audit export, and erased with the case's content by retention."""

import csv
import importlib
import io
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import TextField, Value
from django.utils import timezone

from tipline.models import Case, CaseEvent, Outcome, Priority
from tipline.services.audit import audit_csv_lines
from tipline.services.retention import retention_purge_expired
from tipline.services.workflow import (
    case_assign,
    case_close,
    case_reopen,
    case_set_priority,
    case_status_change,
)

from .workspace_helpers import web_case

pytestmark = pytest.mark.django_db

WHY_PRIORITY = "Jordan T. in 10B named Friday lunch"
WHY_REOPEN = "Jordan's sister texted about the knife"
WHY_ASSIGN = "Alice knows Jordan's family"
SECRETS = (WHY_PRIORITY, WHY_REOPEN, WHY_ASSIGN, "Jordan")


def _database_text() -> str:
    """Every value of every column of every table, as text (as a dump would hold it)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks += [str(value) for row in cursor.fetchall() for value in row]
    return "\n".join(chunks)


def _audit_csv(user) -> str:
    return "".join(audit_csv_lines(user=user))


@pytest.fixture
def reasoned_case(personas):
    """A case whose staff gave a reason for each kind of change, then closed it."""
    alice = personas.counselor_a
    case = web_case(personas.school_a, body="tip body")
    case = case_set_priority(case=case, priority=Priority.URGENT, reason=WHY_PRIORITY, actor=alice)
    case = case_assign(case=case, assignee=alice, actor=alice, reason=WHY_ASSIGN)
    case = case_close(case=case, actor=alice, outcome=Outcome.UNFOUNDED, summary="done")
    case = case_reopen(case=case, actor=alice, reason=WHY_REOPEN)
    return case_close(case=case, actor=alice, outcome=Outcome.UNFOUNDED, summary="done again")


def test_it_stores_no_staff_reason_in_clear(reasoned_case):
    dump = _database_text()
    assert not [secret for secret in SECRETS if secret in dump]


def test_it_still_shows_the_reasons_to_staff_on_the_case(client_for, personas, reasoned_case):
    html = client_for(personas.counselor_a).get(f"/staff/cases/{reasoned_case.id}/")
    page = html.content.decode().replace("&#x27;", "'")
    for why in (WHY_PRIORITY, WHY_REOPEN, WHY_ASSIGN):
        assert why in page
    case = Case.objects.get(id=reasoned_case.id)
    assert case.priority_reason == WHY_PRIORITY


def test_it_keeps_reasons_out_of_the_audit_export(personas, reasoned_case):
    exported = _audit_csv(personas.district_admin)
    assert not [secret for secret in SECRETS if secret in exported]
    rows = list(csv.reader(io.StringIO(exported)))
    priority = next(row for row in rows if row[5] == "priority_changed")
    assert json.loads(priority[6])["changes"]["priority_reason"] == ["…", "…"]


def test_it_gives_reasons_through_the_audited_api_detail_only(personas, client_for, reasoned_case):
    client = client_for(personas.counselor_a)
    listed = client.get("/api/v1/cases/").json()["results"][0]
    assert "priority_reason" not in listed
    detail = client.get(f"/api/v1/cases/{reasoned_case.id}/").json()
    assert detail["priority_reason"] == WHY_PRIORITY
    reasons = {event["reason"] for event in detail["timeline"]}
    assert {WHY_PRIORITY, WHY_ASSIGN, WHY_REOPEN} <= reasons
    event_data = str([event["data"] for event in detail["timeline"]])
    assert not [secret for secret in SECRETS if secret in event_data]


def test_it_erases_reasons_with_the_case_content(personas, reasoned_case):
    Case.objects.filter(id=reasoned_case.id).update(closed_at=timezone.now() - timedelta(days=400))
    assert retention_purge_expired() == 1
    case = Case.objects.get(id=reasoned_case.id)
    assert case.priority_reason == "" and case.priority == Priority.URGENT
    assert not case.events.exclude(staff_reason="").exists()
    purged = case.events.get(kind=CaseEvent.Kind.PURGED)
    assert purged.data["staff_reasons"] == 3
    assert not [secret for secret in SECRETS if secret in _audit_csv(personas.district_admin)]


# --- The migration that encrypts rows written before --------------------------------------


def _old_style(case: Case, *, reason: str, priority_reason: str) -> None:
    """Rows as the previous release wrote them: reasons in clear, in the event data."""
    Case.objects.filter(id=case.id).update(
        priority_reason=Value(priority_reason, output_field=TextField())
    )
    CaseEvent.objects.create(
        case=case, kind="status_changed", data={"changes": {}, "reopened": True, "reason": reason}
    )
    CaseEvent.objects.create(
        case=case,
        kind="priority_changed",
        data={"changes": {"priority": [3, 2], "priority_reason": ["", priority_reason]}},
    )


def test_the_migration_encrypts_old_reasons_and_erases_purged_ones(personas):
    migration = importlib.import_module("tipline.migrations.0006_staff_reasons_encrypted")
    kept = web_case(personas.school_a)
    purged = web_case(personas.school_a)
    _old_style(kept, reason=WHY_REOPEN, priority_reason=WHY_PRIORITY)
    _old_style(purged, reason="purged reopen words", priority_reason="purged priority words")
    Case.objects.filter(id=purged.id).update(purged_at=timezone.now())
    assert WHY_REOPEN in _database_text()

    migration.encrypt_reasons(apps, None)
    migration.encrypt_reasons(apps, None)  # safe to run twice

    dump = _database_text()
    assert not [w for w in (WHY_REOPEN, WHY_PRIORITY, "purged reopen", "purged prio") if w in dump]
    assert Case.objects.get(id=kept.id).priority_reason == WHY_PRIORITY
    reopen = kept.events.get(kind="status_changed", data__reopened=True)
    assert reopen.staff_reason == WHY_REOPEN and "reason" not in reopen.data
    priority = kept.events.get(kind="priority_changed")
    assert priority.staff_reason == WHY_PRIORITY
    assert priority.data["changes"] == {"priority": [3, 2], "priority_reason": ["…", "…"]}
    assert Case.objects.get(id=purged.id).priority_reason == ""
    assert not purged.events.exclude(staff_reason="").exists()

    migration.decrypt_reasons(apps, None)
    reopen.refresh_from_db()
    assert reopen.data["reason"] == WHY_REOPEN and reopen.staff_reason == ""


def test_it_records_a_plain_status_change_without_any_reason(personas):
    case = web_case(personas.school_a)
    case_status_change(case=case, status="triaged", actor=personas.counselor_a)
    event = case.events.get(kind="status_changed")
    assert event.staff_reason == "" and "reason" not in event.data
