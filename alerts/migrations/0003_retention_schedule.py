"""Register the hourly beat task that erases expired post text (alerts.retention_purge)."""

from django.db import migrations

TASK_NAME = "alerts: erase expired post text"


def register(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=3600, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "alerts.retention_purge", "interval": hourly, "enabled": True},
    )


def unregister(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_poll_schedule")]

    operations = [migrations.RunPython(register, unregister)]
