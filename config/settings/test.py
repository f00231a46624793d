"""The test suite: SQLite unless DATABASE_URL is set (CI uses PostgreSQL)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
FIELD_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWtleS1kby1ub3QtdXNlLSE="]
PRIVACY_HMAC_KEY = "test-only-privacy-hmac-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PUBLIC_BASE_URL = "https://tips.example.org"
STAFF_OTP_REQUIRED = False
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
# Test databases reuse ids and slugs from test to test: no school or district policy is kept
# between requests (tests/tipline/test_web_school_cache.py turns it on).
TIPLINE_SCHOOL_CACHE_SECONDS = 0
# Nor a user's roles (a user id means someone else in the next test); tests/accounts/
# test_roles_cache.py and the benches turn it on.
ROLES_CACHE_SECONDS = env.int("ROLES_CACHE_SECONDS", default=0)
# Alerts page on the first tier's word alone, as the tests of paging expect;
# tests/alerts/test_second_tier_review.py turns the second reading on.
ALERTS_SECOND_TIER = False
# Tests that need a real worker point CELERY_BROKER_URL at Redis themselves; everything else
# runs tasks in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = True
# SMS: texts go to tipline.sms.backends.outbox; webhooks are signed with this token.
SMS_BACKEND = "tipline.sms.backends.LocmemBackend"
TWILIO_ACCOUNT_SID = "AC" + "0" * 32
TWILIO_AUTH_TOKEN = "test-only-twilio-auth-token"  # noqa: S105
TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
TWILIO_WEBHOOK_SHARED_KEY = "test-only-twilio-shared-key"
# Tests that submit tips expect their email whatever the wall clock says; the after-hours
# hold is tested with an explicit time (tests/tipline/test_calldown_digest.py).
TIPLINE_HOLD_ROUTINE_NOTICES_AFTER_HOURS = False
