"""Register the beat schedule that polls alert sources (django-celery-beat's database
scheduler). Idempotent: re-running finds the existing rows. Celery beat then calls
alerts.tasks.poll_due_sources every minute; each source keeps its own interval."""

from django.db import migrations

TASK_NAME = "alerts: poll due sources"


def register(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "alerts.tasks.poll_due_sources",
            "interval": every_minute,
            "enabled": True,
        },
    )


def unregister(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_sources_posts_alerts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(register, unregister)]
