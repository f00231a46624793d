"""Source health: polling with backoff, honouring 429 Retry-After, and push tokens.

A poll never raises for the source's own failures: it records them on the Source (error
text, failure count, when to try next) where district admins see them, and the beat task
simply skips the source until `next_poll_at`. Backoff doubles per consecutive failure, from
the source's interval up to MAX_BACKOFF; a 429 waits at least its Retry-After.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.db.models import Q
from django.utils import timezone

from alerts.connectors import ConnectorError, RateLimited, connector_for
from alerts.models import POLLED_KINDS, Source, SourceKind

from .ingest import posts_ingest

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
# A claimed source is not handed out again for this long, even if its poll never reports.
CLAIM_LEASE = timedelta(minutes=10)


def backoff_delay(*, interval_seconds: int, failures: int) -> timedelta:
    """Delay before the next poll after `failures` consecutive failures (failures >= 1)."""
    seconds = interval_seconds * (2 ** min(failures, 16))
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def sources_claim_due(*, now: datetime | None = None) -> list[int]:
    """Ids of enabled polled sources whose time has come, each claimed by a conditional
    update so that overlapping beat ticks do not poll one source twice."""
    now = now or timezone.now()
    due = Source.objects.filter(enabled=True, kind__in=POLLED_KINDS).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    )
    claimed = []
    for source_id, next_poll_at in due.values_list("id", "next_poll_at"):
        if Source.objects.filter(id=source_id, next_poll_at=next_poll_at).update(
            next_poll_at=now + CLAIM_LEASE
        ):
            claimed.append(source_id)
    return claimed


@dataclass(frozen=True)
class PollOutcome:
    ok: bool
    created: int = 0
    alerts: int = 0
    error: str = ""


def source_poll(
    *, source_id: int, client: httpx.Client | None = None, now: datetime | None = None
) -> PollOutcome:
    """Read one source once, store what is new, and record the source's health."""
    source = Source.objects.prefetch_related("schools").get(id=source_id)
    if not source.enabled or source.kind == SourceKind.PUSH:
        return PollOutcome(ok=True)
    now = now or timezone.now()
    own_client = client is None
    client = client or httpx.Client()
    try:
        fetched = connector_for(source=source, client=client).fetch()
    except RateLimited as exc:
        delay = max(
            timedelta(seconds=exc.retry_after), timedelta(seconds=source.poll_interval_seconds)
        )
        return _failed(source, str(exc), now=now, delay=delay)
    except ConnectorError as exc:
        failures = source.consecutive_failures + 1
        delay = backoff_delay(interval_seconds=source.poll_interval_seconds, failures=failures)
        return _failed(source, str(exc), now=now, delay=delay)
    finally:
        if own_client:
            client.close()
    result = posts_ingest(source=source, posts=fetched.posts)
    changes = {
        "last_polled_at": now,
        "last_success_at": now,
        "last_error": "",
        "consecutive_failures": 0,
        "next_poll_at": now + timedelta(seconds=source.poll_interval_seconds),
    }
    for name in ("cursor", "etag", "last_modified", "session_state"):
        value = getattr(fetched, name)
        if value is not None:
            changes[name] = value
    for name, value in changes.items():
        setattr(source, name, value)
    source.save(update_fields=list(changes))
    if fetched.skipped:
        logger.info("alerts source %s: skipped %s malformed items", source.id, fetched.skipped)
    return PollOutcome(ok=True, created=result.created, alerts=result.alerts_created)


def _failed(source: Source, error: str, *, now: datetime, delay: timedelta) -> PollOutcome:
    Source.objects.filter(id=source.id).update(
        last_polled_at=now,
        last_error=error[:500],
        last_error_at=now,
        consecutive_failures=source.consecutive_failures + 1,
        next_poll_at=now + delay,
    )
    logger.warning("alerts source %s failed: %s (next try in %s)", source.id, error, delay)
    return PollOutcome(ok=False, error=error)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def source_push_token_issue(*, source: Source) -> str:
    """A new push token for the source (the old one stops working). Shown once: only its
    SHA-256 is stored, which is enough for a 256-bit random secret."""
    if source.kind != SourceKind.PUSH:
        raise ValueError("Only push sources have tokens.")
    token = secrets.token_urlsafe(32)
    source.push_token_digest = _digest(token)
    source.save(update_fields=["push_token_digest"])
    return token


def source_for_push_token(token: str) -> Source | None:
    if not token:
        return None
    return Source.objects.filter(
        kind=SourceKind.PUSH, enabled=True, push_token_digest=_digest(token)
    ).first()
