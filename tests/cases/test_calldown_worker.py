"""The call-down on a real Celery worker (Redis, PostgreSQL), including a worker killed with
SIGKILL while a step is in flight: a new worker, driven by the beat sweeper, finishes the
sequence with no step lost and none sent twice.

Run: CELERY_TEST_BROKER_URL=redis://127.0.0.1:6379/15 DATABASE_URL=postgres://... pytest
"""

import collections
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from accounts.models import DistrictPolicy, OnCallContact
from cases.models import Category, Channel, Notice
from cases.tasks import calldown_sweep_task
from tipline.services.tips import tip_create

from ..conftest import REPO_ROOT, _wait_for_worker

NUMBERS = {"alice": "+13035550101", "paul": "+13035550102", "dana": "+13035550103"}


@pytest.fixture
def journal_env(monkeypatch, tmp_path):
    """Set before the worker starts (it inherits the environment)."""
    paths = {
        "journal": tmp_path / "sms.journal",
        "gate": tmp_path / "gate",
        "mail": tmp_path / "mail",
    }
    paths["journal"].touch()
    paths["mail"].mkdir()
    monkeypatch.setenv("CALLDOWN_JOURNAL", str(paths["journal"]))
    monkeypatch.setenv("CALLDOWN_GATE", str(paths["gate"]))
    monkeypatch.setenv("WORKER_TEST_SMS_BACKEND", "tests.cases.calldown_journal.JournalBackend")
    monkeypatch.setenv(
        "WORKER_TEST_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
    )
    monkeypatch.setenv("WORKER_TEST_EMAIL_FILE_PATH", str(paths["mail"]))
    monkeypatch.setenv("NOTICE_CLAIM_LEASE_SECONDS", "2")
    return paths


def _until(predicate, timeout=45.0, every=0.2, tick=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if tick:
            tick()
        time.sleep(every)
    return False


def _second_worker(first: subprocess.Popen) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.worker_test",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/"
        f"{db['NAME']}",
        "CELERY_BROKER_URL": os.environ["CELERY_TEST_BROKER_URL"],
    }
    return subprocess.Popen(
        first.args, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _mail_recipients(directory: Path) -> collections.Counter:
    counter = collections.Counter()
    for path in directory.iterdir():
        for line in path.read_text().splitlines():
            if line.startswith("To: "):
                counter[line[4:].strip()] += 1
    return counter


@pytest.mark.worker
def test_it_survives_a_worker_killed_mid_sequence(journal_env, celery_worker_process, personas):
    from config.celery import app

    DistrictPolicy.objects.create(district=personas.school_a.district, calldown_step_seconds=3)
    for user, key in ((personas.counselor_a, "alice"), (personas.principal_a, "paul")):
        user.phone_number = NUMBERS[key]
        user.save()
    personas.district_admin.phone_number = NUMBERS["dana"]
    personas.district_admin.save()
    OnCallContact.objects.create(school=personas.school_a, user=personas.counselor_a, position=1)
    OnCallContact.objects.create(school=personas.school_a, user=personas.principal_a, position=2)
    journal_env["gate"].write_text(NUMBERS["paul"])  # hold step 1's text in flight

    with transaction.atomic():  # the call-down is queued on commit, through Redis
        tip = tip_create(
            school=personas.school_a, channel=Channel.WEB, category=Category.WEAPON, body="gun"
        )
    case_id = tip.case_id
    calldown = Notice.objects.filter(reason=Notice.Reason.CALLDOWN)
    journal = journal_env["journal"]
    in_flight = _until(lambda: f"begin {NUMBERS['paul']}" in journal.read_text())
    if not in_flight:
        celery_worker_process.terminate()
        print(celery_worker_process.stdout.read().decode()[-4000:])
    assert in_flight, list(calldown.values_list("ref", "via", "status", "error"))
    celery_worker_process.send_signal(signal.SIGKILL)
    celery_worker_process.wait(timeout=10)
    step_one = calldown.filter(case_id=case_id, ref=1)
    assert set(step_one.values_list("status", flat=True)) == {"sending"}

    journal_env["gate"].unlink()
    worker = _second_worker(celery_worker_process)
    try:
        _wait_for_worker(app)

        def all_sent():
            rows = calldown.filter(case_id=case_id)
            steps = set(rows.values_list("ref", flat=True))
            return steps == {0, 1, 2} and not rows.exclude(status="sent").exists()

        # Beat's job, done by hand: the sweeper every second re-drives the sequence.
        finished = _until(all_sent, tick=lambda: calldown_sweep_task.delay(), every=1.0)
        if not finished:
            worker.terminate()
            print(worker.stdout.read().decode()[-4000:])
        assert finished, list(calldown.values_list("ref", "via", "status"))
    finally:
        worker.terminate()
        worker.wait(timeout=20)

    lines = journal.read_text().splitlines()
    sent = collections.Counter(line.split()[1] for line in lines if line.startswith("sent"))
    assert sent == {NUMBERS["alice"]: 1, NUMBERS["paul"]: 1, NUMBERS["dana"]: 1}, lines
    assert lines.count(f"begin {NUMBERS['paul']}") == 2  # killed once, re-sent once
    assert _mail_recipients(journal_env["mail"]) == {
        "alice@example.org": 2,  # the counselors' new-tip email, and call-down step 0
        "paul@example.org": 1,
        "dana@example.org": 1,
    }
    assert set(step_one.values_list("attempts", flat=True)) == {2}
    order = list(
        calldown.filter(case_id=case_id, via="sms")
        .order_by("ref")
        .values_list("recipient__email", flat=True)
    )
    assert order == ["alice@example.org", "paul@example.org", "dana@example.org"]
