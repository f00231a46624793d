"""Retention for social posts: public text, but still about students, so it does not outlive
the cases it fed or the district's retention period.

Two rules, run by beat (`alerts.retention_purge`):
- a post attached to a case whose content tipline purged loses its text at once;
- any other post older than its district's retention period loses its text, unless one of
  its alerts is on a case that is still kept.
What stays: the post and alert rows (scores, categories, statuses, dismissal reasons), so
precision and volume figures survive.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import District
from accounts.policies import district_policy

from ..models import Alert, Post

ERASED_POST_FIELDS = {"text": "", "author_handle": "", "url": ""}


def _erase(posts) -> int:
    post_ids = list(posts.exclude(text="").values_list("id", flat=True)[:5000])
    if not post_ids:
        return 0
    with transaction.atomic():
        Alert.objects.filter(post_id__in=post_ids).update(matches=[], school_matches=[])
        return Post.objects.filter(id__in=post_ids).update(**ERASED_POST_FIELDS)


def posts_purge_expired(*, now: datetime | None = None) -> int:
    """Erase the text of expired posts; returns how many posts were erased by this run."""
    now = now or timezone.now()
    erased = _erase(Post.objects.filter(alerts__case__purged_at__isnull=False).distinct())
    on_kept_case = Alert.objects.filter(case__isnull=False, case__purged_at__isnull=True).values(
        "post_id"
    )
    for district in District.objects.all():
        cutoff = now - timedelta(days=district_policy(district.id).retention_days)
        old = Post.objects.filter(source__district_id=district.id, received_at__lt=cutoff)
        erased += _erase(old.exclude(id__in=on_kept_case))
    return erased
