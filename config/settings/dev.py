"""The embedded demo (`make run`): SQLite, eager Celery, console email and SMS."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-secret-key-change-me-0123456789")
# Fixed, public development keys: fine for demo data, never for real tips (production.py
# refuses to start without keys of its own).
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtISE="]
)
PRIVACY_HMAC_KEY = env.str("PRIVACY_HMAC_KEY", default="dev-only-privacy-hmac-key")
# The demo's locmem cache works in the single runserver process.
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
# A public development token: `manage.py sms_simulate` signs with it as Twilio would.
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="dev-only-twilio-auth-token")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="AC" + "d" * 32)
