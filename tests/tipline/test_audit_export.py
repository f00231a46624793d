"""The audit trail: every read and write, who, what, when; CSV for district admins only."""

import csv
import io

import pytest

from tipline.models import CaseEvent, CaseStatus
from tipline.services.audit import audit_csv_lines, audit_events_for, case_view_record
from tipline.services.cases import case_event_record
from tipline.services.workflow import CasePermissionError, case_status_change

from .workflow_helpers import open_case

pytestmark = pytest.mark.django_db


def _rows(user):
    return list(csv.reader(io.StringIO("".join(audit_csv_lines(user=user)))))


def test_it_exports_reads_and_writes_with_who_what_and_when(personas):
    case = open_case(personas.school_a, body="secret tip words")
    case_view_record(case=case, actor=personas.counselor_a)
    case_status_change(case=case, status=CaseStatus.TRIAGED, actor=personas.counselor_a)
    rows = _rows(personas.district_admin)
    assert rows[0] == ["when_utc", "case", "school", "who", "who_id", "action", "details"]
    actions = [(row[1], row[3], row[5]) for row in rows[1:]]
    assert actions == [
        (case.reference, "system", "created"),
        (case.reference, "system", "tip_added"),
        (case.reference, "alice@example.org", "viewed"),
        (case.reference, "alice@example.org", "status_changed"),
    ]
    assert rows[4][6] == '{"changes": {"status": ["new", "triaged"]}, "reopened": false}'
    assert rows[1][0].endswith("+00:00") and rows[1][2] == "Lincoln High"
    assert "secret tip words" not in "".join(audit_csv_lines(user=personas.district_admin))


@pytest.mark.parametrize("persona", ["counselor_a", "principal_a", "counselor_b"])
def test_it_is_for_district_admins_only(personas, persona):
    with pytest.raises(CasePermissionError):
        audit_csv_lines(user=getattr(personas, persona))


def test_it_shows_an_admin_only_their_district(personas):
    open_case(personas.school_a)
    open_case(personas.school_c)
    schools = {e.case.school for e in audit_events_for(user=personas.other_district_admin)}
    assert schools == {personas.school_c}


def test_it_refuses_to_record_a_view_by_someone_out_of_scope(personas):
    case = open_case(personas.school_a)
    with pytest.raises(CasePermissionError):
        case_view_record(case=case, actor=personas.counselor_b)
    assert not case.events.filter(kind=CaseEvent.Kind.VIEWED).exists()


def test_it_defuses_spreadsheet_formulas(personas):
    case = open_case(personas.school_a)
    personas.counselor_a.email = "=cmd@example.org"
    personas.counselor_a.save()
    case_view_record(case=case, actor=personas.counselor_a)
    assert _rows(personas.district_admin)[-1][3] == "'=cmd@example.org"


def test_it_keeps_escalated_post_words_out_of_the_trail(personas, client_for):
    case = open_case(personas.school_a)
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.ESCALATED,
        actor=personas.counselor_a,
        source="social_post",
        alert_id=7,
        post_id=9,
        severity="high",
        text="Jordan in 10B is bringing a knife",
        author="@jordans_friend",
        url="https://social.example/p/9",
        matches=[{"phrase": "knife"}],
    )
    exported = "".join(audit_csv_lines(user=personas.district_admin))
    page = client_for(personas.district_admin).get(f"/staff/cases/{case.id}/audit/")
    for text in (exported, page.content.decode()):
        assert not [word for word in ("Jordan", "jordans_friend", "social.example") if word in text]
    assert '""alert_id"": 7' in exported and ",escalated," in exported
