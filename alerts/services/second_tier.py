"""The second reading of new alerts (scoring.second_tier), before they page anyone.

With ``ALERTS_SECOND_TIER`` on, ``posts_ingest`` stores each alert it raises as
``second_tier="pending"`` (stored at once, whatever happens next, and listed in the feed)
and queues ``alerts.second_tier_review`` with their ids after commit, instead of paging.
The review reads each alert's post again with sentence embeddings:

* ``confirmed``: the second tier still scores it at the school's threshold or above; a
  high alert pages the counselors as any alert does (a critical one paged the on-call
  contacts when it was raised: life-safety never waits for the second reading);
* ``not_confirmed``: the second tier scores it below; it stays in the feed, marked, and
  pages no one (if high; a critical one is only marked);
* ``unavailable``: the second tier could not run (its model package missing, a failure,
  the post's text already erased): the first tier's decision stands, it pages, and the
  reason is logged (ids only, never post text).

Each alert is reviewed once: a conditional update from ``pending`` claims it, so a task
run twice, or the sweep beside a late task, changes nothing the second time. The sweep
(``alerts.second_tier_sweep``, beat) reviews alerts still pending after
``ALERTS_SECOND_TIER_SWEEP_AFTER_SECONDS``: a task lost with the broker costs a delay,
never the alert.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts.models import DEFAULT_THRESHOLD, Alert, SecondTier
from scoring import default_scorer

from .paging import CRITICAL, alerts_page

logger = logging.getLogger(__name__)

__all__ = [
    "alerts_second_tier_review",
    "alerts_second_tier_sweep",
    "second_tier_enabled",
    "second_tier_reader",
]

_lock = threading.Lock()
_reader: dict[str, object] = {}


def second_tier_enabled() -> bool:
    return bool(getattr(settings, "ALERTS_SECOND_TIER", False))


def second_tier_reader():
    """The process's second tier (loaded once: ~90 MB of weights), or None when it cannot
    run here; the reason is logged once per process. ``ALERTS_SECOND_TIER_HEADS``: a heads
    file instead of the shipped one (a re-trained candidate)."""
    heads = getattr(settings, "ALERTS_SECOND_TIER_HEADS", "") or ""
    with _lock:
        if heads not in _reader:
            from scoring.second_tier import SecondTier as Reader  # numpy: only when used
            from scoring.second_tier import SecondTierUnavailable

            try:
                _reader[heads] = Reader(heads_path=heads or None)
            except SecondTierUnavailable as exc:
                logger.warning(
                    "second tier unavailable: alerts page on the first tier alone (%s)",
                    exc,
                    extra={"event": "alerts.second_tier_unavailable"},
                )
                _reader[heads] = None
        return _reader[heads]


def _threshold(alert: Alert) -> float:
    own = getattr(alert.school, "alert_settings", None)
    return own.threshold if own else DEFAULT_THRESHOLD


def alerts_second_tier_review(
    *, alert_ids: list[int], reader=None, now: datetime | None = None
) -> dict[str, int]:
    """Review the pending alerts among ``alert_ids``; returns how many got each outcome.
    ``reader``: a second tier to use instead of the process's (tests, benches)."""
    now = now or timezone.now()
    with transaction.atomic():
        alerts = list(
            Alert.objects.select_for_update(of=("self",))
            .filter(id__in=alert_ids, second_tier=SecondTier.PENDING)
            .select_related("post", "school", "school__alert_settings")
            .order_by("id")
        )
        if not alerts:
            return {}
        outcomes = _read(alerts, reader if reader is not None else second_tier_reader())
        paged = []
        counts: dict[str, int] = {}
        for alert in alerts:
            state, score, version = outcomes[alert.id]
            claimed = Alert.objects.filter(id=alert.id, second_tier=SecondTier.PENDING).update(
                second_tier=state, second_tier_score=score, second_tier_version=version
            )
            if not claimed:
                continue
            counts[state] = counts.get(state, 0) + 1
            # A critical alert paged when it was raised (services/ingest.py).
            if state != SecondTier.NOT_CONFIRMED and alert.severity != CRITICAL:
                paged.append(alert.id)
        if paged:
            alerts_page(alert_ids=paged, now=now)
    return counts


def _read(alerts: list[Alert], reader) -> dict[int, tuple[str, float | None, str]]:
    """Per alert: (state, second-tier score, heads' version)."""
    unavailable = (SecondTier.UNAVAILABLE.value, None, "")
    readable = [a for a in alerts if a.post.text]
    out = {a.id: unavailable for a in alerts}
    for a in alerts:
        if not a.post.text:
            logger.warning(
                "second tier: alert's post text is erased, first tier stands",
                extra={"event": "alerts.second_tier_unavailable", "alert_id": a.id},
            )
    if reader is None or not readable:
        return out
    scorer = default_scorer()
    texts = [a.post.text for a in readable]
    try:
        first = [scorer.score(a.post.text, school_terms=a.school.alert_term_list) for a in readable]
        second = reader.review(scorer, texts, first)
    except Exception:
        logger.exception(
            "second tier failed: the first tier's decision stands",
            extra={"event": "alerts.second_tier_failed", "alert_ids": [a.id for a in readable]},
        )
        return out
    for alert, result in zip(readable, second, strict=True):
        state = (
            SecondTier.CONFIRMED if result.score >= _threshold(alert) else SecondTier.NOT_CONFIRMED
        )
        out[alert.id] = (state.value, round(result.score, 4), reader.version)
    return out


def alerts_second_tier_sweep(*, now: datetime | None = None) -> int:
    """Review the alerts still pending after the sweep delay; returns how many."""
    now = now or timezone.now()
    delay = timedelta(seconds=settings.ALERTS_SECOND_TIER_SWEEP_AFTER_SECONDS)
    stale = list(
        Alert.objects.filter(second_tier=SecondTier.PENDING, created_at__lte=now - delay)
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    if stale:
        alerts_second_tier_review(alert_ids=stale, now=now)
    return len(stale)
