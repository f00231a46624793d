"""The case page: one timeline of sources, messages, notes and events, shown safely."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, Post, Source, SourceKind
from alerts.services import alert_attach
from cases.models import Case, CaseEvent, Channel
from cases.services.workflow import case_assign, case_note_add, case_set_priority
from tests.factories import case_factory
from tipline.services.tips import message_from_reporter, message_to_reporter

pytestmark = pytest.mark.django_db
PAYLOAD = '<script>alert("x")</script>'


def _post_attached(case, actor, *, url="https://social.example/kid/1", author="@angry_kid"):
    """A real alert (its source, post and scores) attached to the case by the real service."""
    source = Source.objects.create(
        district=case.school.district, kind=SourceKind.PUSH, name="Monitor"
    )
    post = Post.objects.create(
        source=source,
        external_id="1",
        author_handle=author,
        text=f"shooting up the school {PAYLOAD}",
        url=url,
        posted_at=timezone.now() - timedelta(hours=1),
        fingerprint="f1",
        score=0.93,
        severity="critical",
    )
    alert = Alert.objects.create(
        post=post,
        source=source,
        school=case.school,
        score=0.93,
        severity="critical",
        top_category="violence",
        categories={"violence": 0.9},
        matches=[{"category": "violence", "phrase": "shooting", "start": 0, "end": 8}],
        group_key="f1",
    )
    return alert_attach(alert=alert, case=case, actor=actor)


def test_it_shows_every_source_message_note_and_event_in_time_order(client_for, personas):
    case = case_factory(personas.school_a, body="first tip body", alias="Blue Heron")
    reporter = case.tips.get().reporter
    _post_attached(case, personas.counselor_a)
    message_to_reporter(case=case, reporter=reporter, body="Are you safe?", author=None)
    message_from_reporter(case=case, reporter=reporter, body="yes thanks", channel=Channel.WEB)
    case_note_add(case=case, actor=personas.counselor_a, body="called the dean")
    case_assign(case=case, assignee=personas.counselor_a, actor=personas.counselor_a)
    html = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    order = [
        "first tip body",
        "shooting up the school",
        "Are you safe?",
        "yes thanks",
        "called the dean",
        "Alice Counselor took the case",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Internal note · never shown to the tipster" in html
    assert "@angry_kid" in html and "Monitor" in html and "escalated by Alice Counselor" in html


def test_it_escapes_post_text_and_refuses_script_urls(client_for, personas):
    case = case_factory(personas.school_a, alias="Blue Heron")
    _post_attached(case, personas.counselor_a, url="javascript:alert(1)", author=PAYLOAD)
    html = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    assert PAYLOAD not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "javascript:alert" not in html


def test_it_collapses_flood_messages_under_a_toggle(client_for, personas):
    case = case_factory(personas.school_a, alias="Blue Heron")
    reporter = case.tips.get().reporter
    message_from_reporter(
        case=case, reporter=reporter, body="spam spam", channel=Channel.WEB, flagged=True
    )
    html = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    toggle = html.index('<details class="flagged-message">')
    assert toggle < html.index("spam spam") < html.index("</details>", toggle)


def test_it_shows_priority_changes_with_reason_and_folds_repeated_views(client_for, personas):
    case = case_factory(personas.school_a, alias="Blue Heron")
    case_set_priority(case=case, priority=2, reason="repeat reports", actor=personas.counselor_a)
    client = client_for(personas.counselor_a)
    client.get(f"/staff/cases/{case.id}/")
    html = client.get(f"/staff/cases/{case.id}/").content.decode()
    assert (
        "Alice Counselor raised the priority from Routine to Urgent · reason: repeat reports"
        in html
    )
    assert "Alice Counselor read the case ×2" in html


def test_it_shows_sla_countdowns_in_the_school_timezone(client_for, personas):
    case = case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    due = timezone.now() + timedelta(minutes=4)
    Case.objects.filter(id=case.id).update(acknowledge_due_at=due)
    html = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    assert "due in 3\xa0minutes" in html or "due in 4\xa0minutes" in html
    local = due.astimezone(personas.school_a.tzinfo)
    assert local.strftime("%H:%M") + " " + local.tzname() in html
    Case.objects.filter(id=case.id).update(
        first_response_due_at=timezone.now() - timedelta(hours=2)
    )
    html = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/").content.decode()
    assert "Overdue" in html and "2\xa0hours ago" in html


def test_it_records_the_view_in_the_audit_trail(client_for, personas):
    case = case_factory(personas.school_a, alias="Blue Heron")
    client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/")
    event = case.events.get(kind=CaseEvent.Kind.VIEWED)
    assert (event.actor, event.data) == (personas.counselor_a, {"what": "case"})


def test_it_shows_a_principal_no_controls(client_for, personas):
    case = case_factory(personas.school_a, category="weapon", alias="Blue Heron")
    html = client_for(personas.principal_a).get(f"/staff/cases/{case.id}/").content.decode()
    assert "Acknowledge: I have this case" in html
    for action in ("status", "reply", "notes", "assign", "priority", "merge", "resolve"):
        assert f"/staff/cases/{case.id}/{action}/" not in html
