"""Settings shared by every environment.

Everything that differs between machines comes from the environment, parsed strictly by
django-environ: a malformed value stops start-up instead of being guessed at. `.env.example`
lists every variable.
"""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.envfile import env_file_read

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A `.env` file beside manage.py (or the file ENV_FILE names) is read when present, inline
# comments and all (its format: config/envfile.py); real environment variables win.
env_file_read(BASE_DIR / ".env")

# Insecure development values live in dev.py/test.py; production.py refuses to start without
# real ones.
SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Who may tell us a client's address (accounts/privacy.py, docs/deploy.md). The throttles key
# on a daily HMAC of the client address; behind a proxy REMOTE_ADDR is the proxy's, so the
# address is read from X-Forwarded-For, but only as far as proxies we trust vouch for it.
# Set one: TRUSTED_PROXIES, the proxies' addresses or networks (comma-separated; the right-most
# X-Forwarded-For entry outside them is the client), or TRUSTED_PROXY_COUNT, how many proxies
# every request passes (0: gunicorn faces clients directly). Neither: REMOTE_ADDR alone, and
# `check --deploy` warns.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=None)
TRUSTED_PROXIES = [entry.strip() for entry in env.list("TRUSTED_PROXIES", default=[])]
TRUSTED_PROXIES = [entry for entry in TRUSTED_PROXIES if entry]
if TRUSTED_PROXY_COUNT is not None and TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
if TRUSTED_PROXY_COUNT is not None and TRUSTED_PROXIES:
    raise ImproperlyConfigured("Set TRUSTED_PROXIES or TRUSTED_PROXY_COUNT, not both.")
for _entry in TRUSTED_PROXIES:
    try:
        # strict: "10.0.0.1/8" (host bits set) is refused, not silently read as 10.0.0.0/8.
        ipaddress.ip_network(_entry, strict=True)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_entry!r} is not an IP address or network ({error})."
        ) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "accounts",
    "cases",
    "tipline",
    "alerts",
    "workspace",
    "summaries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "config.middleware.ApiNoStoreMiddleware",
    # Before anything reads a request body (the next one does).
    "config.middleware.RefuseOversizedRequestsMiddleware",
    "config.middleware.RefuseNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware and django-otp's OTPMiddleware in one, read from the
    # cache when it can (accounts/auth_cache.py).
    "accounts.middleware.CachedAuthenticationMiddleware",
    # A signed-in person's own language over the browser's (accounts/language.py).
    "accounts.middleware.StaffLanguageMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last, as its documentation requires: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Our queries are short; PostgreSQL's JIT compiler spent 75 ms to 1.7 s on each summary
    # query, more than running it (bench/summary.py). An `options` in DATABASE_URL wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # The case queue's and home page's statements are prepared once per connection and
    # reused (workspace/queue_sql.py: _cursor). psycopg prepares only what a cursor asks for
    # when this threshold is set; Django's own cursors bind on the client and never ask.
    # Behind a pooler that cannot carry prepared statements (PgBouncer in transaction mode
    # before 1.21, or without max_prepared_statements), set DB_PREPARED_STATEMENTS=false.
    if env.bool("DB_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite behaves under the demo's few concurrent requests with WAL and a busy timeout.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://tipline")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# After sign-in: the person's work (workspace/views/home.py), not the account page.
LOGIN_REDIRECT_URL = "tipline:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Staff two-factor (TOTP). Required in production; the demo leaves it optional so the printed
# logins work at once. A user who enrolled a device is always asked for a code.
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="School Tip Line")

# Lockout after failed sign-ins (accounts/lockout.py). AXES_FAILURE_LIMIT failures lock the pair
# (account, client) for AXES_COOLOFF_HOURS, so a stranger locks only themselves; the client is a
# daily-rotating digest of its address, never the address (no client address is kept, see
# accounts/privacy.py). SIGNIN_ACCOUNT_FAILURE_LIMIT failures in SIGNIN_ACCOUNT_WINDOW_MINUTES
# from anywhere stop password-only sign-in to the account; password plus code still works.
# Counters live in the cache (no user agent or address in the database); when it is down,
# sign-in goes on without lockout and says so in the log.
AXES_HANDLER = "accounts.lockout.StaffLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.lockout_client_key"
SIGNIN_ACCOUNT_FAILURE_LIMIT = env.int("SIGNIN_ACCOUNT_FAILURE_LIMIT", default=50)
SIGNIN_ACCOUNT_WINDOW_MINUTES = env.int("SIGNIN_ACCOUNT_WINDOW_MINUTES", default=60)
AXES_USERNAME_CALLABLE = "accounts.privacy.lockout_username"
AXES_CLIENT_STR_CALLABLE = "accounts.privacy.client_str_without_address"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Denver"
USE_I18N = True
USE_TZ = True
# Dates and numbers are formatted by the active language (docs/languages.md). Spanish groups
# thousands with a point (config/formats/es). USE_THOUSAND_SEPARATOR stays off: a bare
# {{ number }} in a template is often an id in a URL or a value read back by a form or a
# script; figures shown to people are grouped where they are written (summaries' cells,
# the |intcomma of humanize), never in values a machine reads.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".staticfiles"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".media")
# Tipsters' files ("attachments") are encrypted before they reach their storage and never
# served by URL (tipline/attachments.py). By default the file system under MEDIA_ROOT,
# readable by the app's user only; ATTACHMENT_STORAGE_BACKEND names another Django storage
# class (django-storages' S3 or Azure classes, configured by their own settings) when web
# nodes must be stateless.
ATTACHMENT_STORAGE_BACKEND = env.str(
    "ATTACHMENT_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
ATTACHMENT_STORAGE = {"BACKEND": ATTACHMENT_STORAGE_BACKEND}
if ATTACHMENT_STORAGE_BACKEND == "django.core.files.storage.FileSystemStorage":
    ATTACHMENT_STORAGE["OPTIONS"] = {
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": ATTACHMENT_STORAGE,
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise environ.ImproperlyConfigured("ADMIN_URL must look like 'some-path/' (no leading /).")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tipline@localhost")

# Keys for data at rest. FIELD_ENCRYPTION_KEYS: comma-separated Fernet keys, newest first
# (MultiFernet: the first encrypts, all decrypt, so keys rotate). PRIVACY_HMAC_KEY keys the
# digests of receipt codes and phone numbers; it never rotates without a re-keying migration.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
PRIVACY_HMAC_KEY = env.str("PRIVACY_HMAC_KEY", default="")

# Celery. Without a broker URL every task runs in-process (eager) and raises its errors, so
# the embedded demo needs no Redis.
# Outside a school's hours, only life-safety cases notify staff at once (they also start the
# call-down); routine new tips wait for the morning digest.
TIPLINE_HOLD_ROUTINE_NOTICES_AFTER_HOURS = env.bool(
    "TIPLINE_HOLD_ROUTINE_NOTICES_AFTER_HOURS", default=True
)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
# Tasks are written to be safe to run twice, so a task is acknowledged only when done and
# handed back to the queue when its worker dies mid-way.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longer than the longest task (hard limit above), so Redis never redelivers a running task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The one list of periodic tasks. django-celery-beat's database scheduler copies it into its
# PeriodicTask rows (matched by name) every time beat starts, so editing it here and
# restarting beat is the whole procedure; rows added in the admin are left alone.
# BEAT_SWEEP_SECONDS paces the sweeps that recover lost work (the fault drill shortens it).
BEAT_SWEEP_SECONDS = env.float("BEAT_SWEEP_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "alerts: poll due sources": {"task": "alerts.poll_due_sources", "schedule": 60.0},
    "alerts: erase expired post text": {"task": "alerts.retention_purge", "schedule": 3600.0},
    "alerts: second reading of alerts whose review was lost": {
        "task": "alerts.second_tier_sweep",
        "schedule": BEAT_SWEEP_SECONDS,
    },
    "cases: life-safety call-down sweep": {
        "task": "cases.calldown_sweep",
        "schedule": BEAT_SWEEP_SECONDS,
    },
    "cases: outbox sweep (re-queue lost sends)": {
        "task": "cases.outbox_sweep",
        "schedule": BEAT_SWEEP_SECONDS,
    },
    "tipline: SMS reply sweep (re-queue lost replies)": {
        "task": "tipline.sms_reply_sweep",
        "schedule": BEAT_SWEEP_SECONDS,
    },
    "cases: escalate missed deadlines": {"task": "cases.sla_sweep", "schedule": 60.0},
    "cases: morning digest of overnight cases": {"task": "cases.digest_send", "schedule": 300.0},
    "cases: erase content of expired cases": {"task": "cases.retention_purge", "schedule": 3600.0},
    "tipline: erase files and numbers of purged cases": {
        "task": "tipline.retention_sweep",
        "schedule": 3600.0,
    },
    "tipline: forget one-time form tokens": {
        "task": "tipline.submissions_expire",
        "schedule": 600.0,
    },
}

# The scorer's second tier (scoring/second_tier.py, docs/scorer.md), opt-in: a new high
# alert is read again with sentence embeddings by a Celery task before it pages anyone; one
# the second reading does not confirm stays in the feed, marked, and pages no one. A
# critical alert pages at once either way. Off by default: measured, it sets aside few
# false alarms (docs/scorer.md, "The second tier") for a ~90 MB model in every worker.
ALERTS_SECOND_TIER = env.bool("ALERTS_SECOND_TIER", default=False)
# A heads file instead of the shipped scoring/model/second_tier.json (a re-trained one).
ALERTS_SECOND_TIER_HEADS = env.str("ALERTS_SECOND_TIER_HEADS", default="")
# A pending review older than this is done by the sweep (the task was lost: broker down).
ALERTS_SECOND_TIER_SWEEP_AFTER_SECONDS = env.float(
    "ALERTS_SECOND_TIER_SWEEP_AFTER_SECONDS", default=120.0
)

# SMS (tipline/sms/). SMS_BACKEND works like EMAIL_BACKEND: console prints, locmem keeps an
# outbox for tests, twilio sends (production.py requires its credentials). Twilio signs our
# webhooks for PUBLIC_BASE_URL + path; TWILIO_WEBHOOK_SHARED_KEY is the secret of a Twilio
# Webhook Setting, used when a request says it was signed with it (HMAC-SHA256).
SMS_BACKEND = env.str("SMS_BACKEND", default="tipline.sms.backends.ConsoleBackend")
SMS_BACKEND_OPTIONS: dict = {}
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_WEBHOOK_SHARED_KEY = env.str("TWILIO_WEBHOOK_SHARED_KEY", default="")
TWILIO_DELETE_MEDIA = env.bool("TWILIO_DELETE_MEDIA", default=True)
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=10.0)
# Past this many texts a minute from one thread, texts are stored flagged and collapsed, and
# get no automatic reply.
SMS_THREAD_RATE_PER_MINUTE = env.int("SMS_THREAD_RATE_PER_MINUTE", default=10)
SMS_SEND_MAX_RETRIES = env.int("SMS_SEND_MAX_RETRIES", default=6)
SMS_RETRY_BASE_SECONDS = env.int("SMS_RETRY_BASE_SECONDS", default=30)
SMS_RETRY_MAX_SECONDS = env.int("SMS_RETRY_MAX_SECONDS", default=3600)

# Web tips (tipline/throttle.py). Per client (a daily-rotating HMAC of its address, never the
# address): at most TIPLINE_TIPS_PER_CLIENT tips in TIPLINE_TIPS_WINDOW_SECONDS. Past
# TIPLINE_GLOBAL_TIPS_PER_MINUTE across everyone, tips are still stored but marked for review.
TIPLINE_TIPS_PER_CLIENT = env.int("TIPLINE_TIPS_PER_CLIENT", default=5)
TIPLINE_TIPS_WINDOW_SECONDS = env.int("TIPLINE_TIPS_WINDOW_SECONDS", default=600)
TIPLINE_GLOBAL_TIPS_PER_MINUTE = env.int("TIPLINE_GLOBAL_TIPS_PER_MINUTE", default=120)
# Receipt-code guesses at /followup/: per client per window. Past the global rate (accepted
# tries across everyone per minute) the client limit tightens to ..._UNDER_LOAD; the global
# rate never refuses a try by itself, and refused tries do not count towards it.
TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT = env.int("TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT", default=10)
TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT_UNDER_LOAD = env.int(
    "TIPLINE_FOLLOWUP_ATTEMPTS_PER_CLIENT_UNDER_LOAD", default=3
)
TIPLINE_FOLLOWUP_WINDOW_SECONDS = env.int("TIPLINE_FOLLOWUP_WINDOW_SECONDS", default=900)
TIPLINE_GLOBAL_FOLLOWUP_ATTEMPTS_PER_MINUTE = env.int(
    "TIPLINE_GLOBAL_FOLLOWUP_ATTEMPTS_PER_MINUTE", default=300
)
# The school behind /s/<slug>/, district SLA policies and the school finder's index of active
# schools (tipline/school_finder.py) are kept this long per process (every tip or search reads
# them; they change rarely): an edit applies that much later.
TIPLINE_SCHOOL_CACHE_SECONDS = env.int("TIPLINE_SCHOOL_CACHE_SECONDS", default=30)
# The navigation's badge counts (new alerts, cases needing someone) are kept this long per
# user in the cache, so a signed-in page does not count them on every request (0: count
# every time). The case queue and the alert feed count for themselves, fresh.
NAVIGATION_COUNT_SECONDS = env.int("NAVIGATION_COUNT_SECONDS", default=10)
# A user's roles (accounts.permissions) are kept this long in the cache, dropped at once when a
# membership or a school changes (0: read them on every request).
ROLES_CACHE_SECONDS = env.int("ROLES_CACHE_SECONDS", default=60)
# Who is signed in (the user's row without its password, the session-auth hash, the ids of
# their confirmed second factors) is kept this long in the cache, under a per-user version
# replaced by every change to the user or their devices (accounts/auth_cache.py); 0: read
# the user and the session's device from the database on every request.
AUTH_CACHE_SECONDS = env.int("AUTH_CACHE_SECONDS", default=60)
# An open case queue asks this often whether anything changed (a 204 when nothing did).
QUEUE_LIVE_SECONDS = env.int("QUEUE_LIVE_SECONDS", default=15)
# A resubmitted tip form (refresh, Back, double click, retry) shows the same receipt code
# again for this long, only to the browser holding the form's one-time token; after that, or
# once the student presses "I have saved my code", it says the tip was sent and shows no code.
# Tokens themselves (a keyed digest each) are deleted after TIPLINE_SUBMISSION_TOKEN_HOURS.
TIPLINE_RECEIPT_REPLAY_SECONDS = env.int("TIPLINE_RECEIPT_REPLAY_SECONDS", default=30 * 60)
TIPLINE_SUBMISSION_TOKEN_HOURS = env.int("TIPLINE_SUBMISSION_TOKEN_HOURS", default=24)
# Summaries (summaries/). Counts from 1 to THRESHOLD-1 show as "<THRESHOLD" in pages and
# exports, so a small cell cannot identify a student; 0 turns suppression off.
TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = env.int("TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD", default=5)
# Staff notices (cases/services/notices.py): a notice claimed by a worker that died before
# sending is re-sent after this lease. Longer than CELERY_TASK_TIME_LIMIT, so a slow but live
# send is never doubled.
NOTICE_CLAIM_LEASE_SECONDS = env.int("NOTICE_CLAIM_LEASE_SECONDS", default=120)
# The outboxes (cases/services/outbox.py for notices, tipline/sms/outbound.py for SMS
# replies): a row still PENDING this long after it was queued is queued again by the sweep
# (the broker lost it, or was down), each time waiting twice as long. A notice that failed
# this many times (SMTP or network errors) is given up.
OUTBOX_OVERDUE_SECONDS = env.int("OUTBOX_OVERDUE_SECONDS", default=120)
OUTBOX_SWEEP_BATCH = env.int("OUTBOX_SWEEP_BATCH", default=500)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

# Uploaded files are held in memory only (10 MB each, 5 per form), never in a temporary file:
# see tipline/upload_handlers.py. Under ASGI, Django buffers each request body in memory up to
# FILE_UPLOAD_MAX_MEMORY_SIZE before any middleware runs: at least the largest body accepted
# (tipline.upload_handlers.MAX_REQUEST_BYTES), so no accepted body is spooled to disk there.
FILE_UPLOAD_HANDLERS = ["tipline.upload_handlers.MemoryOnlyUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 52 * 1024 * 1024
# Answers on /followup/thread/ per client (rotating key, as for tips) in the window; counted
# before any attached picture is decoded.
TIPLINE_REPLIES_PER_CLIENT = env.int("TIPLINE_REPLIES_PER_CLIENT", default=10)
TIPLINE_REPLIES_WINDOW_SECONDS = env.int("TIPLINE_REPLIES_WINDOW_SECONDS", default=600)

# The staff API (/api/v1/, config/api_urls.py). Personal tokens first, so an anonymous request
# is answered 401 with a WWW-Authenticate challenge; the browser's session works too (with
# CSRF, and only once it has shown its second factor where the pages ask for one). Throttles
# are per token (per user for sessions), by scope; see accounts.api_tokens.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_tokens.ApiTokenAuthentication",
        "accounts.api_tokens.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api_pagination.ApiPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api_tokens.TokenScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_read": env.str("API_READ_RATE", default="600/minute"),
        "api_write": env.str("API_WRITE_RATE", default="120/minute"),
    },
    "EXCEPTION_HANDLER": "config.api.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.ApiAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "School Tip Line API",
    "DESCRIPTION": (
        "Cases, tips, alerts, sources and summaries, with the same permissions as the staff "
        "pages. Authenticate with `Authorization: Bearer <token>` (create a token at "
        '/accounts/tokens/). Errors: {"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's files (static/): no CDN. No Redoc: its page loads
    # Google Fonts, a third-party request.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.CaseStatus",
        "AlertStatusEnum": "alerts.models.AlertStatus",
        "CaseChannelEnum": "cases.models.Channel",
        "DismissalReasonEnum": "alerts.models.DismissalReason",
    },
}

# Read from the cache (Redis in production), kept in the database: one cache round trip per
# signed-in request instead of a query; a Redis outage costs only that (accounts/session_store.py).
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True
# A session cookie, gone when the browser closes: a one-year csrftoken would tell whoever holds
# a student's phone that the tip line was visited. (Not CSRF_USE_SESSIONS: students have no
# session, and it would create one, a database row, for every visitor of every public page.)
CSRF_COOKIE_AGE = None
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Not "no-referrer": with it, browsers send `Origin: null` on form posts and Django's CSRF
# check (rightly) refuses them. "same-origin" sends nothing to any other site.
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): our own origin only, no inline script or style, no
# plugins, never framed, forms post only to us. data: images are the 2FA QR code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonLineFormatter"}},
    "handlers": {
        # A StreamHandler (stderr) that never writes inside a printed email or text.
        "console": {"class": "config.logging.ConsoleLogHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's error reports attach the request (client address, user agent, headers):
        # they are sent nowhere but our own formatter, which drops them.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # The SDK logs each API request's URL and headers at INFO: nothing we need.
        "twilio": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # pypdf describes what it repairs in a tipster's PDF, sometimes quoting it: not logged.
        "pypdf": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.logging.PrivacyExceptionReporterFilter"
