"""The embedded demo (`make run`): SQLite, a Celery worker and beat on a broker made of
files, console email and SMS."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, MIDDLEWARE, env

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

# Background work runs in a Celery worker with beat beside runserver (Procfile.dev, which
# `make run` starts), as in production: the call-down repeats, the sweeps and the digest run.
# The broker is kombu's filesystem transport, one file per message under DEV_BROKER_DIR:
# nothing to install, and kept out of the SQLite database so queueing a task never waits on
# the app's write lock (docs/development.md weighs it against SQLite and Redis). A
# CELERY_BROKER_URL set in the environment wins (redis://...); an empty one runs every task
# in-process instead.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_BROKER_URL.startswith("filesystem://"):
    DEV_BROKER_DIR = Path(env.str("DEV_BROKER_DIR", default="") or BASE_DIR / ".dev-broker")
    _queue_dir = DEV_BROKER_DIR / "queue"
    # The transport does not create its message folder.
    for _folder in (_queue_dir, DEV_BROKER_DIR / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Producers and the worker share one folder: messages written are messages read.
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(DEV_BROKER_DIR / "control"),
        # A message taken is moved out of the queue folder, read, then deleted (not kept).
        "store_processed": False,
        # How often the worker looks for new files: what a click waits for its email.
        "polling_interval": 0.5,
    }
# Printed emails and texts reach the terminal as the worker prints them, not as log records.
CELERY_WORKER_REDIRECT_STDOUTS = False
