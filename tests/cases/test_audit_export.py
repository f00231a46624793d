"""The audit trail: every read and write, who, what, when; CSV for district admins only."""

import csv
import io

import pytest

from alerts.models import Alert, Post, Source, SourceKind
from alerts.services import alert_escalate
from cases.models import CaseEvent, CaseStatus
from cases.services.audit import audit_csv_lines, audit_events_for, case_view_record
from cases.services.workflow import CasePermissionError, case_status_change
from tests.factories import case_factory

pytestmark = pytest.mark.django_db


def _rows(user):
    return list(csv.reader(io.StringIO("".join(audit_csv_lines(user=user)))))


def test_it_exports_reads_and_writes_with_who_what_and_when(personas):
    case = case_factory(personas.school_a, body="secret tip words")
    case_view_record(case=case, actor=personas.counselor_a)
    case_status_change(case=case, status=CaseStatus.TRIAGED, actor=personas.counselor_a)
    rows = _rows(personas.district_admin)
    assert rows[0] == [
        "when_utc",
        "case",
        "school",
        "who",
        "who_id",
        "action",
        "details",
        "description",
    ]
    actions = [(row[1], row[3], row[5]) for row in rows[1:]]
    assert actions == [
        (case.reference, "system", "created"),
        (case.reference, "system", "tip_added"),
        (case.reference, "alice@example.org", "viewed"),
        (case.reference, "alice@example.org", "status_changed"),
    ]
    assert rows[4][6] == '{"changes": {"status": ["new", "triaged"]}, "reopened": false}'
    assert rows[3][7] == "Alice Counselor read the case"
    assert rows[4][7] == "Alice Counselor moved the case from New to Triaged"
    assert rows[1][0].endswith("+00:00") and rows[1][2] == "Lincoln High"
    assert "secret tip words" not in "".join(audit_csv_lines(user=personas.district_admin))


@pytest.mark.parametrize("persona", ["counselor_a", "principal_a", "counselor_b"])
def test_it_is_for_district_admins_only(personas, persona):
    with pytest.raises(CasePermissionError):
        audit_csv_lines(user=getattr(personas, persona))


def test_it_shows_an_admin_only_their_district(personas):
    case_factory(personas.school_a)
    case_factory(personas.school_c)
    schools = {e.case.school for e in audit_events_for(user=personas.other_district_admin)}
    assert schools == {personas.school_c}


def test_it_refuses_to_record_a_view_by_someone_out_of_scope(personas):
    case = case_factory(personas.school_a)
    with pytest.raises(CasePermissionError):
        case_view_record(case=case, actor=personas.counselor_b)
    assert not case.events.filter(kind=CaseEvent.Kind.VIEWED).exists()


def test_it_defuses_spreadsheet_formulas(personas):
    case = case_factory(personas.school_a)
    personas.counselor_a.email = "=cmd@example.org"
    personas.counselor_a.save()
    case_view_record(case=case, actor=personas.counselor_a)
    assert _rows(personas.district_admin)[-1][3] == "'=cmd@example.org"


def test_it_keeps_escalated_post_words_out_of_the_trail(personas, client_for):
    source = Source.objects.create(
        district=personas.school_a.district, kind=SourceKind.PUSH, name="Monitor"
    )
    post = Post.objects.create(
        source=source,
        external_id="9",
        text="Jordan in 10B is bringing a knife",
        author_handle="@jordans_friend",
        url="https://social.example/p/9",
        fingerprint="9",
    )
    alert = Alert.objects.create(
        post=post,
        source=source,
        school=personas.school_a,
        score=0.8,
        severity="high",
        top_category="weapons",
        matches=[{"phrase": "knife"}],
        group_key="9",
    )
    case = alert_escalate(alert=alert, actor=personas.counselor_a)
    exported = "".join(audit_csv_lines(user=personas.district_admin))
    page = client_for(personas.district_admin).get(f"/staff/cases/{case.id}/audit/")
    for text in (exported, page.content.decode()):
        assert not [word for word in ("Jordan", "jordans_friend", "social.example") if word in text]
    assert f'""alert_id"": {alert.id}' in exported and ",alert_added," in exported
