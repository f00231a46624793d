"""Post ingest: store each post once, score it per school, raise and group alerts.

Built for batches (the push API takes 1,000 posts at a time): a fixed handful of queries per
batch, whatever its size: the source row lock, the school profiles, one lookup of known ids,
one bulk write of the new posts (a COPY on PostgreSQL, see post_store) and, only when the
batch alerts, one lookup of the alerting posts' ids, one of existing alert groups, one bulk
insert of alerts and one update of every group that grew.

Each distinct text is scored once per batch: reposts and copies cost nothing extra.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from alerts.connectors.base import FetchedPost
from alerts.models import DEFAULT_THRESHOLD, Alert, SecondTier, Source
from alerts.web_urls import web_url_or_blank
from cases.queueing import queue_after_commit
from scoring import CATEGORIES, Scorer, default_scorer

from .paging import CRITICAL, PAGED_SEVERITIES, alerts_page
from .second_tier import second_tier_enabled
from .store import AlertGroup, PostRow, alerts_add, known_external_ids, posts_write

# A text scoring below this without school words is not re-scored with each school's.
RESCORE_FROM = 0.1

# The same shape connectors produce: the push API builds these too.
PostInput = FetchedPost

_REPOST_PREFIX = re.compile(r"^\s*(rt|repost(ed)?|boost(ed)?)\s*@?[\w.\-]*\s*:\s*", re.IGNORECASE)
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def text_fingerprint(text: str) -> str:
    """A key shared by reposts and identical texts: the words, without links, case, spacing,
    punctuation or a leading "RT @someone:"."""
    core = _REPOST_PREFIX.sub("", text)
    if "://" in core:  # every link has one; most posts have none
        core = _URL.sub(" ", core)
    core = core.casefold()
    core = _NON_WORD.sub(" ", core).strip()
    return hashlib.sha1(core.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class SchoolProfile:
    """What the pipeline needs to know about one school a source serves."""

    school_id: int
    terms: tuple[str, ...]
    threshold: float
    require_mention: bool


def school_profiles_for(source: Source) -> list[SchoolProfile]:
    """The active schools the source serves, with their settings: one query."""
    schools = source.schools.filter(is_active=True).select_related("alert_settings").order_by("id")
    profiles = []
    for school in schools:
        own = getattr(school, "alert_settings", None)
        profiles.append(
            SchoolProfile(
                school_id=school.id,
                terms=tuple(school.alert_term_list),
                threshold=own.threshold if own else DEFAULT_THRESHOLD,
                require_mention=own.require_school_mention if own else True,
            )
        )
    return profiles


@dataclass
class IngestResult:
    created: int = 0
    duplicates: int = 0
    alerts_created: int = 0
    alerts_grouped: int = 0


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What one text means for the post storing it and for each school's alerts."""

    score: float
    severity: str
    fingerprint: str
    alerts: tuple[dict, ...]


def _alert_for(result, profile: SchoolProfile, model_version: str) -> dict | None:
    """The alert fields when this score should alert this school, else None."""
    if result.score < profile.threshold or not result.matches:
        return None
    relevance = result.relevance
    if profile.require_mention and not (relevance and relevance.relevant):
        return None
    categories = {c: round(result.categories.get(c, 0.0), 4) for c in CATEGORIES}
    return {
        "school_id": profile.school_id,
        "score": round(result.score, 4),
        "severity": result.severity,
        "top_category": max(categories, key=categories.get),
        "model_version": model_version,
        "categories": categories,
        "matches": [m.to_dict() for m in result.matches],
        "school_matches": [
            {"term": m.term, "kind": m.kind, "start": m.start, "end": m.end}
            for m in (relevance.matches if relevance else ())
        ],
    }


def _judge(scorer: Scorer, text: str, profiles: list[SchoolProfile]) -> _Verdict:
    # School words only strengthen evidence already there (a named target): a text far
    # below the alert point without them cannot alert any school, so it is scored once.
    best = scorer.score(text)
    alerts = []
    if best.matches or best.score >= RESCORE_FROM:
        for profile in profiles:
            result = scorer.score(text, school_terms=profile.terms)
            if result.score > best.score:
                best = result
            fields = _alert_for(result, profile, scorer.model_version)
            if fields is not None:
                alerts.append(fields)
    return _Verdict(round(best.score, 4), best.severity, text_fingerprint(text), tuple(alerts))


@transaction.atomic
def posts_ingest(
    *,
    source: Source,
    posts: Sequence[PostInput],
    scorer: Scorer | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """Store the posts not seen before from this source, score them, and raise alerts.

    Idempotent on (source, external id): a post already stored (or repeated in the batch) is
    counted as a duplicate and changes nothing; only new posts are scored. A post's URL is
    stored only when it is an http(s) link (alerts.web_urls), whichever connector sent it;
    otherwise the post is stored without one (its words still count). Per-source ingests
    are serialized by a row lock, so two pushes of the same batch cannot both insert.
    `now`: when the posts were received (the clock, unless a caller replays a moment).
    """
    scorer = scorer or default_scorer()
    Source.objects.select_for_update().filter(id=source.id).values_list("id").first()
    outcome = IngestResult()
    unique: dict[str, PostInput] = {}
    for item in posts:
        if item.external_id in unique:
            outcome.duplicates += 1
        else:
            unique[item.external_id] = item
    if not unique:
        return outcome
    known = known_external_ids(source_id=source.id, external_ids=list(unique))
    outcome.duplicates += len(known)
    profiles = school_profiles_for(source)
    now = now or timezone.now()
    verdicts: dict[str, _Verdict] = {}
    pending: list[tuple[str, str, dict]] = []  # (external id, group key, alert fields)

    def new_rows():
        # A generator: on PostgreSQL the rows are streamed to COPY as they are scored.
        for external_id, item in unique.items():
            if external_id in known:
                continue
            verdict = verdicts.get(item.text)
            if verdict is None:
                verdict = verdicts[item.text] = _judge(scorer, item.text, profiles)
            for fields in verdict.alerts:
                pending.append((external_id, verdict.fingerprint, fields))
            yield (
                external_id,
                item.author_handle[:200],
                item.text,
                web_url_or_blank(item.url),
                item.posted_at,
                verdict.fingerprint,
                verdict.score,
                verdict.severity,
            )

    rows: Iterable[PostRow] = new_rows()
    outcome.created = posts_write(source_id=source.id, received_at=now, rows=rows)
    if pending:
        _raise_alerts(source.id, pending, now, outcome)
    return outcome


def _raise_alerts(
    source_id: int, pending: list[tuple[str, str, dict]], now: datetime, outcome: IngestResult
) -> None:
    groups: dict[tuple[int, str], AlertGroup] = {}
    second_reading = second_tier_enabled()
    for external_id, key, fields in pending:
        if second_reading:
            fields["second_tier"] = SecondTier.PENDING
        group = (fields["school_id"], key)
        if group in groups:
            groups[group].count += 1
        else:
            groups[group] = AlertGroup(external_id, fields)
    outcome.alerts_created = alerts_add(source_id=source_id, groups=groups, now=now)
    outcome.alerts_grouped = len(pending) - outcome.alerts_created
    if outcome.alerts_created and second_reading:
        # Read again (services/second_tier.py) before a high alert pages anyone; the sweep
        # does it if the task is lost. Life-safety first: a critical alert pages at once,
        # and its second reading only marks it.
        raised = list(
            Alert.objects.filter(
                source_id=source_id, created_at=now, second_tier=SecondTier.PENDING
            ).values_list("id", "severity")
        )
        critical = [alert_id for alert_id, severity in raised if severity == CRITICAL]
        if critical:
            alerts_page(alert_ids=critical, now=now)
        queue_after_commit(
            "alerts.second_tier_review",
            alert_ids=[alert_id for alert_id, _severity in raised],
            what="second reading of new alerts",
        )
    elif outcome.alerts_created:
        # The alerts this ingest raised carry its `now`; critical and high ones page someone.
        raised = Alert.objects.filter(
            source_id=source_id, created_at=now, severity__in=PAGED_SEVERITIES
        )
        alerts_page(alert_ids=list(raised.values_list("id", flat=True)), now=now)
