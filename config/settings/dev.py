"""The embedded demo (`make run`): SQLite, eager Celery, console email and SMS."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

DEBUG = env.bool("DEBUG", default=True)
# `make run PORT=8001` serves on DEV_SERVER_ADDRESS: links made outside a request (and the
# default for PUBLIC_BASE_URL) point there. A PUBLIC_BASE_URL given outright wins.
DEV_SERVER_ADDRESS = env.str("DEV_SERVER_ADDRESS", default="127.0.0.1:8000")
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=f"http://{DEV_SERVER_ADDRESS}").rstrip("/")
# Within a request, links and the Twilio signature check follow the address the request came
# in on (accounts/public_address.py). Development only: production uses PUBLIC_BASE_URL alone.
MIDDLEWARE = ["accounts.public_address.ServedAddressMiddleware", *MIDDLEWARE]
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-secret-key-change-me-0123456789")
# Fixed, public development keys: fine for demo data, never for real tips (production.py
# refuses to start without keys of its own).
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtISE="]
)
PRIVACY_HMAC_KEY = env.str("PRIVACY_HMAC_KEY", default="dev-only-privacy-hmac-key")
# The demo's locmem cache works in the single runserver process.
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
# Emails print in the `make run` terminal as framed blocks (accounts/console.py), unless
# EMAIL_URL names another backend.
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "accounts.console.EmailBackend"
# A public development token: `manage.py sms_simulate` signs with it as Twilio would.
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="dev-only-twilio-auth-token")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="AC" + "d" * 32)
