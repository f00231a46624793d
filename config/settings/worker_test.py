"""A real Celery worker started by the test suite: test settings, but tasks go to the broker."""

from .test import *  # noqa: F403
from .test import env

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
# A test may point the worker's outbound SMS and email at places it can read from another
# process (the call-down tests: a journal file and a mail directory).
SMS_BACKEND = env.str("WORKER_TEST_SMS_BACKEND", default=SMS_BACKEND)
EMAIL_BACKEND = env.str("WORKER_TEST_EMAIL_BACKEND", default=EMAIL_BACKEND)
EMAIL_FILE_PATH = env.str("WORKER_TEST_EMAIL_FILE_PATH", default="")
