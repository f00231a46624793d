"""A critical alert pushed through the API pages the on-call list through a real Celery
worker (Redis broker, PostgreSQL): the push writes the notice rows, the worker sends them."""

import pytest

from accounts.models import OnCallContact
from alerts.models import Alert
from alerts.services import source_push_token_issue
from cases.models import Notice
from tests.fixtures import THREAT, wait_until

ON_CALL = {"alice@example.org": "+13035550101", "paul@example.org": "+13035550102"}


@pytest.mark.worker
def test_a_pushed_critical_alert_pages_the_on_call_list_through_the_worker(
    worker_outbox, celery_worker_process, personas, push_source, client
):
    for position, user in enumerate([personas.counselor_a, personas.principal_a], 1):
        user.phone_number = ON_CALL[user.email]
        user.save()
        OnCallContact.objects.create(school=personas.school_a, user=user, position=position)
    token = source_push_token_issue(source=push_source)
    response = client.post(
        "/api/v1/alerts/posts/",
        {"posts": [{"external_id": "w1", "text": THREAT}]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.json()
    alert = Alert.objects.get()
    assert alert.severity == "critical"
    pages = Notice.objects.filter(reason=Notice.Reason.ALERT, ref=alert.id)
    assert wait_until(lambda: pages.filter(status=Notice.Status.SENT).count() == 4), list(
        pages.values_list("status", "error")
    )
    journal = worker_outbox["journal"].read_text().splitlines()
    assert sorted(line for line in journal if line.startswith("sent")) == [
        f"sent {number}" for number in sorted(ON_CALL.values())
    ]
    mails = "".join(path.read_text() for path in worker_outbox["mail"].iterdir())
    for email in ON_CALL:
        assert f"To: {email}" in mails
    assert f"/alerts/{alert.id}/" in mails and "shoot" not in mails.lower()
    assert all(
        sid.startswith("SMjournal")
        for sid in pages.filter(via="sms").values_list("provider_id", flat=True)
    )
