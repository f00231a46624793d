"""An SMS tip emails the school's counselors through a real Celery worker (Redis broker,
PostgreSQL): the intake writes the notice rows, the worker sends them."""

import pytest

from accounts.models import PhoneNumber
from cases.models import Notice
from tests.fixtures import wait_until
from tipline.models import Tip
from tipline.sms.inbound import sms_inbound_receive

from .sms_support import SCHOOL_A_NUMBER, inbound_params

BODY = "kids are selling vapes by the gym"


@pytest.mark.worker
def test_an_sms_tip_emails_the_counselors_through_the_worker(
    worker_outbox, celery_worker_process, personas
):
    PhoneNumber.objects.create(
        number=SCHOOL_A_NUMBER, district=personas.school_a.district, school=personas.school_a
    )
    # Committed (transactional_db): the notices task is queued on commit, to the broker.
    sms_inbound_receive(params=inbound_params(BODY))
    case = Tip.objects.get().case
    notices = Notice.objects.filter(case=case, reason=Notice.Reason.NEW_TIP)
    assert wait_until(lambda: notices.filter(status=Notice.Status.SENT).exists()), list(
        notices.values_list("status", "error")
    )
    assert list(notices.values_list("recipient__email", "via", "status")) == [
        ("alice@example.org", "email", "sent")
    ]
    [mail_file] = list(worker_outbox["mail"].iterdir())  # written by the worker's process
    sent = mail_file.read_text()
    assert "To: alice@example.org" in sent
    assert f"/staff/cases/{case.id}/" in sent
    assert "vapes" not in sent
