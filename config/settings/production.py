"""Production: PostgreSQL, a real broker, Twilio, HTTPS behind a TLS proxy.

Refuses to start while anything it needs is missing, naming every missing variable at once.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

REQUIRED = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "FIELD_ENCRYPTION_KEYS",
    "PRIVACY_HMAC_KEY",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
)
_missing = [name for name in REQUIRED if not os.environ.get(name, "").strip()]
# Lockout counters and throttles must be shared by every web process: a Redis cache, given
# outright or taken from a Redis broker.
_broker = os.environ.get("CELERY_BROKER_URL", "")
if not os.environ.get("CACHE_URL") and not _broker.startswith("redis"):
    _missing.append("CACHE_URL")
# SMS goes through Twilio: its account, the token that signs webhooks, a sender, and the public
# address Twilio calls (signatures are checked against it, never against request headers).
SMS_BACKEND = env.str("SMS_BACKEND", default="tipline.sms.backends.TwilioBackend")
if SMS_BACKEND == "tipline.sms.backends.TwilioBackend":
    for _name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"):
        if not os.environ.get(_name, "").strip():
            _missing.append(_name)
    if not (
        os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "").strip()
        or os.environ.get("TWILIO_FROM_NUMBER", "").strip()
    ):
        _missing.append("TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: " + ", ".join(_missing)
    )

# Password-reset links and security notices go by email. A backend that prints, keeps in memory
# or drops mail would put those links in the web log, or lose them: refused.
EMAIL_BACKENDS_THAT_SEND_NOTHING = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)
# EMAIL_BACKEND comes from base.py, parsed from EMAIL_URL.
if EMAIL_BACKEND in EMAIL_BACKENDS_THAT_SEND_NOTHING:
    raise ImproperlyConfigured(
        "EMAIL_URL must name a real email backend (e.g. smtp+tls://user:password@host:587); "
        "console, in-memory and dummy mail are refused in production."
    )

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
PRIVACY_HMAC_KEY = env.str("PRIVACY_HMAC_KEY")
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=True)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {
    "default": env.cache_url("CACHE_URL", default=_broker.replace("redis://", "rediscache://", 1))
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that stops answering costs a request a second at most, after which the
    # throttles and the SMS replay claim carry on without it (docs/operations.md), instead of
    # holding a web worker for the system's TCP timeout.
    _cache_options = CACHES["default"].setdefault("OPTIONS", {})
    _cache_options.setdefault("socket_connect_timeout", 1)
    _cache_options.setdefault("socket_timeout", 1)

# TLS terminates at the proxy, which must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Only `make up` on plain-HTTP localhost turns these off.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
