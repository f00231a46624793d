"""The demo's push source takes a token from `seed_demo_alerts --push-token`, so the README
tour can push a critical post with curl and watch it page the on-call list."""

import pytest
from django.core.management import call_command

from alerts.models import Alert
from cases.models import Notice

pytestmark = pytest.mark.django_db
CRITICAL_POST = "bringing my dad's gun to Lincoln High at lunch tomorrow"


def test_it_prints_a_push_token_that_pages_the_demo_on_call_list(
    client, capsys, django_capture_on_commit_callbacks
):
    call_command("seed_demo")
    call_command("seed_demo_alerts", "--push-token")
    [token_line] = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith("Push token: ")
    ]
    token = token_line.removeprefix("Push token: ")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/alerts/posts/",
            {"posts": [{"external_id": "tour-1", "text": CRITICAL_POST}]},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.json()
    alert = Alert.objects.get(post__external_id="tour-1")
    assert alert.severity == "critical" and alert.school.slug == "lincoln-high"
    pages = Notice.objects.filter(reason=Notice.Reason.ALERT, ref=alert.id)
    assert pages.filter(status=Notice.Status.SENT).exists()


def test_it_issues_no_token_unless_asked(capsys):
    call_command("seed_demo")
    call_command("seed_demo_alerts")
    assert "Push token" not in capsys.readouterr().out
