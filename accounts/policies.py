"""A district's policy (service targets, call-down pace, retention, summary suppression), read
by every new case: kept per process for TIPLINE_SCHOOL_CACHE_SECONDS."""

from __future__ import annotations

import copy
import time

from django.conf import settings

from .models import DistrictPolicy

# district id -> (monotonic expiry, policy): every new case reads its district's policy.
_policies: dict[int, tuple[float, DistrictPolicy]] = {}


def district_policy(district_id: int) -> DistrictPolicy:
    """The district's policy row, or an unsaved one holding the defaults.

    Kept TIPLINE_SCHOOL_CACHE_SECONDS per process (a policy edit applies that much later);
    each caller gets its own copy, to read.
    """
    ttl = settings.TIPLINE_SCHOOL_CACHE_SECONDS
    now = time.monotonic()
    kept = _policies.get(district_id) if ttl > 0 else None
    if kept is None or kept[0] <= now:
        policy = DistrictPolicy.objects.filter(district_id=district_id).first() or DistrictPolicy(
            district_id=district_id
        )
        if ttl <= 0:
            return policy
        kept = _policies[district_id] = (now + ttl, policy)
    return copy.copy(kept[1])


def district_policy_forget(district_id: int) -> None:
    """Drop this process's copy after an edit (other processes catch up within the TTL)."""
    _policies.pop(district_id, None)
