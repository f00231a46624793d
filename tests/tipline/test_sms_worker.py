"""The outbound send task on a real Celery worker (Redis broker, PostgreSQL), and the
production start-up check for Twilio's credentials."""

import time

import pytest

from accounts.models import PhoneNumber
from tests.accounts.test_settings import PRODUCTION_ENV, _manage
from tipline.models import DeliveryStatus, Reporter
from tipline.services.tips import message_to_reporter
from tipline.sms.inbound import sms_inbound_receive

from .sms_support import SCHOOL_A_NUMBER, TIPSTER, inbound_params


@pytest.mark.worker
def test_it_sends_a_reply_through_a_real_worker(celery_worker_process, personas):
    PhoneNumber.objects.create(
        number=SCHOOL_A_NUMBER, district=personas.school_a.district, school=personas.school_a
    )
    sms_inbound_receive(params=inbound_params("a tip for the worker"))
    reporter = Reporter.objects.get()
    # Committed (transactional_db), so the worker's own connection sees it; the task is
    # queued on commit through the broker.
    message = message_to_reporter(
        case=reporter.tips.get().case, reporter=reporter, body="From the worker", author=None
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.delivery_status != DeliveryStatus.PENDING:
            break
        time.sleep(0.2)
    # The worker runs the test settings' locmem backend: its SID proves it sent.
    if message.delivery_status != DeliveryStatus.QUEUED:
        celery_worker_process.terminate()
        print(celery_worker_process.stdout.read().decode()[-3000:])
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert message.provider_sid.startswith("SMlocmem")
    assert TIPSTER not in message.provider_sid


@pytest.mark.parametrize(
    "missing", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_MESSAGING_SERVICE_SID"]
)
def test_it_refuses_to_start_production_without_twilio_credentials(missing):
    result = _manage("check", env_overrides=PRODUCTION_ENV, drop=(missing, "TWILIO_FROM_NUMBER"))
    assert result.returncode != 0
    assert missing in result.stderr.split("need these environment variables:")[1]


def test_it_starts_production_with_a_from_number_instead_of_a_service():
    env = {**PRODUCTION_ENV, "TWILIO_FROM_NUMBER": "+13035550100"}
    result = _manage("check", env_overrides=env, drop=("TWILIO_MESSAGING_SERVICE_SID",))
    assert result.returncode == 0, result.stderr


def test_it_starts_production_with_another_sms_backend_without_twilio():
    env = {**PRODUCTION_ENV, "SMS_BACKEND": "tipline.sms.backends.ConsoleBackend"}
    twilio = tuple(name for name in PRODUCTION_ENV if name.startswith("TWILIO"))
    assert _manage("check", env_overrides=env, drop=twilio).returncode == 0
