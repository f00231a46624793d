"""A real Celery worker started by the test suite: test settings, but tasks go to the broker."""

from .test import *  # noqa: F403
from .test import env

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
