"""Triage decisions exported as training rows: district admins only, their district only,
labels from the decisions, erased posts left out, every export recorded; and alerts
record the scorer's model version."""

import csv
import io
import json

import pytest
from django.urls import reverse

from alerts.models import Alert, Post, Source, SourceKind, TriageExport
from alerts.services import alert_dismiss, alert_escalate, posts_ingest
from alerts.services.ingest import PostInput
from scoring import default_scorer
from tests.fixtures import THREAT

EXPORT = reverse("alerts:triage_export")
STAB = "some kid at Lincoln High said he will stab me tomorrow after school"
SHOOT = "I'm going to shoot everyone at Lincoln High on friday"
OTHER = "we will shoot up Faraway Elementary tomorrow"


@pytest.fixture
def decided(ingest, personas):
    """Four alerts at school A: escalated, false positive, not our school, still new."""
    ingest(("t1", THREAT), ("t2", STAB), ("t3", SHOOT), ("t4", THREAT + " for real"))
    alerts = list(Alert.objects.filter(school=personas.school_a).order_by("id"))
    assert len(alerts) == 4
    alert_escalate(alert=alerts[0], actor=personas.counselor_a)
    alert_dismiss(alert=alerts[1], reason="false_positive", actor=personas.counselor_a)
    alert_dismiss(alert=alerts[2], reason="not_our_school", actor=personas.counselor_a)
    return alerts


def rows_of(response):
    body = b"".join(response) if response.streaming else response.content
    return [json.loads(line) for line in body.decode().splitlines()]


def test_it_records_the_model_version_on_every_alert(threat_alert):
    assert threat_alert.model_version == default_scorer().model_version
    assert threat_alert.model_version.startswith("harm-")


def test_anonymous_users_counselors_and_principals_may_not_export(
    client, client_for, personas, decided
):
    assert client.get(EXPORT).status_code == 302
    for user in (personas.counselor_a, personas.principal_a, personas.counselor_b):
        assert client_for(user).get(EXPORT).status_code == 403
    assert not TriageExport.objects.exists()


def test_a_district_admin_exports_labelled_rows_and_the_export_is_recorded(
    client_for, personas, decided
):
    response = client_for(personas.district_admin).get(EXPORT)
    assert response.status_code == 200
    assert 'filename="triage-' in response["Content-Disposition"]
    rows = rows_of(response)
    by_alert = {r["alert_id"]: r for r in rows}
    assert set(by_alert) == {decided[0].id, decided[1].id}
    assert by_alert[decided[0].id]["label"] == 1 and by_alert[decided[0].id]["text"] == THREAT
    assert by_alert[decided[1].id]["label"] == 0 and by_alert[decided[1].id]["text"] == STAB
    assert {r["category"] for r in rows} <= {"violence", "weapons", "self_harm", "bullying"}
    assert all(r["model_version"] == default_scorer().model_version for r in rows)
    assert all("author" not in r and "url" not in r for r in rows)
    record = TriageExport.objects.get()
    assert record.exported_by == personas.district_admin
    assert record.district == personas.school_a.district
    assert record.rows == 2 and record.export_format == "jsonl"


def test_the_csv_export_has_the_same_rows(client_for, personas, decided):
    response = client_for(personas.district_admin).get(EXPORT, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(int(r["alert_id"]) for r in rows) == [decided[0].id, decided[1].id]
    assert TriageExport.objects.get().export_format == "csv"


def test_it_leaves_out_posts_whose_text_retention_erased(client_for, personas, decided):
    Post.objects.filter(id=decided[0].post_id).update(text="")
    rows = rows_of(client_for(personas.district_admin).get(EXPORT))
    assert [r["alert_id"] for r in rows] == [decided[1].id]


def test_another_districts_admin_gets_none_of_these_rows(client_for, personas, decided):
    source = Source.objects.create(
        district=personas.school_c.district, kind=SourceKind.PUSH, name="Other monitor"
    )
    source.schools.set([personas.school_c])
    personas.school_c.alert_terms = "Faraway Elementary"
    personas.school_c.save()
    posts_ingest(source=source, posts=[PostInput(external_id="o1", text=OTHER)])
    theirs = Alert.objects.get(school=personas.school_c)
    alert_escalate(alert=theirs, actor=personas.other_district_admin)
    rows = rows_of(client_for(personas.other_district_admin).get(EXPORT))
    assert [r["alert_id"] for r in rows] == [theirs.id]
    record = TriageExport.objects.get()
    assert record.district == personas.school_c.district


def test_the_sources_page_links_the_export_and_names_the_model(client_for, personas):
    page = client_for(personas.district_admin).get(reverse("alerts:sources")).content.decode()
    assert EXPORT in page and default_scorer().model_version in page
