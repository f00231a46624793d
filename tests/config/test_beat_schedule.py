"""One beat schedule, in settings: django-celery-beat copies it into its rows when beat
starts, and every entry names a task the worker knows."""

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import app

pytestmark = pytest.mark.django_db


def _beat_starts() -> None:
    """What `celery beat` does on start with the database scheduler: sync the schedule."""
    DatabaseScheduler(app=app, lazy=True).setup_schedule()


def test_it_names_only_tasks_the_worker_registers():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks)
    assert {
        "alerts.poll_due_sources",
        "alerts.retention_purge",
        "alerts.second_tier_sweep",
        "cases.calldown_sweep",
        "cases.outbox_sweep",
        "cases.sla_sweep",
        "cases.digest_send",
        "cases.retention_purge",
        "tipline.sms_reply_sweep",
        "tipline.retention_sweep",
        "tipline.submissions_expire",
    } == scheduled


# Outside a test transaction, as beat runs: its scheduler closes old connections, which would
# end the transaction a test usually runs in.
@pytest.mark.django_db(transaction=True)
def test_it_is_copied_into_the_database_scheduler_when_beat_starts():
    assert not PeriodicTask.objects.filter(name__in=settings.CELERY_BEAT_SCHEDULE).exists()
    _beat_starts()
    _beat_starts()  # a restart updates the rows in place
    rows = {row.name: row for row in PeriodicTask.objects.select_related("interval")}
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert rows[name].task == entry["task"] and rows[name].enabled
        assert rows[name].interval.every == entry["schedule"]
    outbox = rows["cases: outbox sweep (re-queue lost sends)"]
    assert outbox.interval.every == settings.BEAT_SWEEP_SECONDS == 60


def test_every_task_has_an_explicit_name():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert ours and all(name.split(".")[0] in {"alerts", "cases", "tipline"} for name in ours)
    assert all(name.count(".") == 1 for name in ours), ours
