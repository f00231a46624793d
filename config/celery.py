"""The Celery application: tasks are discovered in every installed app's tasks.py.

Configuration lives in Django settings under the CELERY_ prefix (see settings/base.py):
JSON only, time limits, late acknowledgement with requeue when a worker dies, and beat
schedules kept in the database by django-celery-beat.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("tipline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
