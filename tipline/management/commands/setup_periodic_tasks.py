"""Register the periodic tasks with django-celery-beat's database scheduler.

Idempotent: every run updates the rows named here to the schedule below (re-enabling them)
and creates missing ones; rows it does not name are left alone. Run after `migrate`.
Other apps add their tasks to SCHEDULE with one line each.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

# (row name, task name, every N seconds)
SCHEDULE: list[tuple[str, str, int]] = [
    ("tipline: life-safety call-down sweep", "tipline.calldown_sweep", 60),
    ("tipline: outbox sweep (re-queue lost sends)", "tipline.outbox_sweep", 60),
    ("tipline: escalate missed SLA deadlines", "tipline.sla_sweep", 60),
    ("tipline: morning digest of overnight cases", "tipline.digest_send", 300),
    ("tipline: erase content of expired cases", "tipline.retention_purge", 3600),
    ("tipline: forget one-time form tokens", "tipline.submissions_expire", 600),
]


class Command(BaseCommand):
    help = "Create or update the Celery beat schedule (django-celery-beat), idempotently."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, task, seconds in SCHEDULE:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=seconds, period=IntervalSchedule.SECONDS
            )
            _, created = PeriodicTask.objects.update_or_create(
                name=name, defaults={"task": task, "interval": interval, "enabled": True}
            )
            self.stdout.write(f"{'created' if created else 'updated'}: {name} ({task})")
