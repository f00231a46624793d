"""Structured log lines that cannot carry a tipster's identity.

Every record becomes one JSON object holding only whitelisted fields. Request objects, which
Django attaches to its error records (and with them the client address, user agent and
headers), are never formatted; nor are request bodies.
"""

import json
import logging
from datetime import UTC, datetime

from django.views.debug import SafeExceptionReporterFilter

from accounts.console import CONSOLE_LOCK

# Extra attributes a log call may pass that are safe to print.
SAFE_EXTRA_FIELDS = ("status_code", "method", "path", "event", "case_id", "task_id", "count")


class JsonLineFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message and safe extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in SAFE_EXTRA_FIELDS:
            value = getattr(record, field, None)
            if value is not None and not hasattr(value, "META"):
                payload[field] = value if isinstance(value, int | float) else str(value)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


class ConsoleLogHandler(logging.StreamHandler):
    """A StreamHandler whose lock is the one printed emails and texts are written under
    (accounts/console.py): a log line waits for a block being printed, never lands in it."""

    def createLock(self) -> None:
        self.lock = CONSOLE_LOCK


class PrivacyExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the DEBUG page, any mailed report) show no request metadata or body."""

    def get_safe_request_meta(self, request):
        return {}

    def get_post_parameters(self, request):
        return {}
