"""gunicorn settings. The access log names no client address and no user agent."""

import multiprocessing
import os

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
