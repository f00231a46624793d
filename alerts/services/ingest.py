"""Post ingest: store each post once, score it per school, raise and group alerts.

Built for batches (the push API takes 1,000 posts at a time): a fixed handful of queries per
batch, whatever its size: the source row lock, one lookup of known ids, one bulk insert of
posts, one lookup of existing alert groups, one bulk insert of alerts, and one update per
group that grew.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts.connectors.base import FetchedPost
from alerts.models import DEFAULT_THRESHOLD, Alert, Post, SchoolAlertSettings, Source
from alerts.scoring import CATEGORIES, Scorer, default_scorer

# The same shape connectors produce: the push API builds these too.
PostInput = FetchedPost

_REPOST_PREFIX = re.compile(r"^\s*(rt|repost(ed)?|boost(ed)?)\s*@?[\w.\-]*\s*:\s*", re.IGNORECASE)
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def text_fingerprint(text: str) -> str:
    """A key shared by reposts and identical texts: the words, without links, case, spacing,
    punctuation or a leading "RT @someone:"."""
    core = _REPOST_PREFIX.sub("", text)
    core = _URL.sub(" ", core).casefold()
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
    schools = list(source.schools.filter(is_active=True).order_by("id"))
    settings = {
        row.school_id: row
        for row in SchoolAlertSettings.objects.filter(school__in=[s.id for s in schools])
    }
    profiles = []
    for school in schools:
        own = settings.get(school.id)
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
    posts: list[Post] = field(default_factory=list)


def _alert_for(result, profile: SchoolProfile) -> dict | None:
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
        "categories": categories,
        "matches": [m.to_dict() for m in result.matches],
        "school_matches": [
            {"term": m.term, "kind": m.kind, "start": m.start, "end": m.end}
            for m in (relevance.matches if relevance else ())
        ],
    }


@transaction.atomic
def posts_ingest(
    *, source: Source, posts: Sequence[PostInput], scorer: Scorer | None = None
) -> IngestResult:
    """Store the posts not seen before from this source, score them, and raise alerts.

    Idempotent on (source, external id): a post already stored (or repeated in the batch) is
    counted as a duplicate and changes nothing. Per-source ingests are serialized by a row
    lock, so two pushes of the same batch cannot both insert.
    """
    scorer = scorer or default_scorer()
    Source.objects.select_for_update().filter(id=source.id).first()
    outcome = IngestResult()
    unique: dict[str, PostInput] = {}
    for item in posts:
        if item.external_id in unique:
            outcome.duplicates += 1
        else:
            unique[item.external_id] = item
    if not unique:
        return outcome
    known = set(
        Post.objects.filter(source=source, external_id__in=list(unique)).values_list(
            "external_id", flat=True
        )
    )
    outcome.duplicates += len(known)
    profiles = school_profiles_for(source)
    now = timezone.now()
    new_posts: list[Post] = []
    pending: list[tuple[int, dict]] = []  # (index into new_posts, alert fields)
    for external_id, item in unique.items():
        if external_id in known:
            continue
        # School words only strengthen evidence the lexicons found (a named target): a text
        # with no evidence at all cannot alert any school, so it is scored once, cheaply.
        best = scorer.score(item.text)
        if best.matches or best.score > 0.0:
            for profile in profiles:
                result = scorer.score(item.text, school_terms=profile.terms)
                if result.score > best.score:
                    best = result
                fields = _alert_for(result, profile)
                if fields is not None:
                    pending.append((len(new_posts), fields))
        new_posts.append(
            Post(
                source=source,
                external_id=external_id,
                author_handle=item.author_handle[:200],
                text=item.text,
                url=item.url[:1000],
                posted_at=item.posted_at,
                received_at=now,
                fingerprint=text_fingerprint(item.text),
                score=round(best.score, 4),
                severity=best.severity,
            )
        )
    Post.objects.bulk_create(new_posts, batch_size=1000)
    outcome.created = len(new_posts)
    outcome.posts = new_posts
    if pending:
        _raise_alerts(new_posts, pending, now, outcome)
    return outcome


def _raise_alerts(posts: list[Post], pending, now: datetime, outcome: IngestResult) -> None:
    keys = {posts[index].fingerprint for index, _ in pending}
    school_ids = {fields["school_id"] for _, fields in pending}
    existing = set(
        Alert.objects.filter(school_id__in=school_ids, group_key__in=keys).values_list(
            "school_id", "group_key"
        )
    )
    fresh: dict[tuple[int, str], Alert] = {}
    grown: dict[tuple[int, str], int] = {}
    for index, fields in pending:
        post = posts[index]
        group = (fields["school_id"], post.fingerprint)
        if group in existing or group in fresh:
            grown[group] = grown.get(group, 0) + 1
            if group in fresh:
                fresh[group].group_size += 1
                grown[group] -= 1
            continue
        fresh[group] = Alert(
            post=post, group_key=post.fingerprint, created_at=now, last_seen_at=now, **fields
        )
    Alert.objects.bulk_create(fresh.values(), batch_size=500)
    for (school_id, key), count in grown.items():
        if count:
            Alert.objects.filter(school_id=school_id, group_key=key).update(
                group_size=F("group_size") + count, last_seen_at=now
            )
    outcome.alerts_created = len(fresh)
    outcome.alerts_grouped = sum(grown.values()) + sum(a.group_size - 1 for a in fresh.values())
