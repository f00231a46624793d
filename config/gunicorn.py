"""gunicorn settings. No log line names a client address or user agent.

The access log's format has no address, user agent or query string. The error log is another
matter: gunicorn writes the client address into its own lines (a malformed request gives
"Invalid request from ip=..."), so `AddresslessLogger` takes every IP address out of every
line of both logs before it is written, except the addresses gunicorn itself is bound to.
"""

import ipaddress
import logging
import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Request bodies (tips) are never logged; nor is the query string, which could carry a code.
accesslog = "-"
access_log_format = (
    '{"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": %(B)s, "duration_ms": %(M)s}'
)
errorlog = "-"
# Behind a TLS proxy on the same host or network; it sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

ADDRESS_WITHHELD = "[address withheld]"
# Runs of hex digits, dots and colons with at least one dot or colon: every spelling of an
# IPv4 or IPv6 address is one of these (each is then checked by the ipaddress module).
_ADDRESS_LIKE = re.compile(r"(?=[0-9A-Fa-f.:]*[.:])[0-9A-Fa-f.:]{2,}")


def without_addresses(text: str, keep: frozenset[str] = frozenset()) -> str:
    """`text` with every IP address (alone, with ":port", or followed by punctuation) but those
    in `keep` replaced by ADDRESS_WITHHELD."""

    def replace(match: re.Match) -> str:
        token = match.group(0)
        trimmed = token.rstrip(".:")
        head, _, port = trimmed.rpartition(":")
        candidates = [token, trimmed] + ([head] if head and port.isdigit() else [])
        for candidate in candidates:
            try:
                address = ipaddress.ip_address(candidate)
            except ValueError:
                continue
            if str(address) in keep:
                return token
            return ADDRESS_WITHHELD + token[len(candidate) :]
        return token

    return _ADDRESS_LIKE.sub(replace, text)


class _AddressFilter(logging.Filter):
    """Rewrites each record, its traceback included, without addresses."""

    def __init__(self, keep: frozenset[str]):
        super().__init__()
        self.keep = keep

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = without_addresses(message, self.keep), ()
        return True


class AddresslessLogger(Logger):
    """gunicorn's logger; its error and access lines never carry a client address."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        keep = set()
        for address in cfg.address:
            if isinstance(address, tuple):
                try:
                    keep.add(str(ipaddress.ip_address(address[0])))
                except ValueError:
                    continue  # a host name: nothing to keep
        address_filter = _AddressFilter(frozenset(keep))
        for log in (self.error_log, self.access_log):
            for old in [f for f in log.filters if isinstance(f, _AddressFilter)]:
                log.removeFilter(old)
            log.addFilter(address_filter)


logger_class = AddresslessLogger
