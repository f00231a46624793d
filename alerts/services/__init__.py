"""Every write of the alerts app: ingest (store, score, raise and group alerts), triage
(dismiss, escalate, attach), source health (polling, backoff, push tokens) and the
audited export of triage decisions as training rows."""

from .ingest import (
    IngestResult,
    PostInput,
    SchoolProfile,
    posts_ingest,
    school_profiles_for,
    text_fingerprint,
)
from .source_admin import source_create, source_enabled_set, source_token_rotate
from .sources import (
    PollOutcome,
    backoff_delay,
    source_for_push_token,
    source_poll,
    source_push_token_issue,
    sources_claim_due,
)
from .training import EXPORT_FIELDS, EXPORT_FORMATS, triage_export_record
from .triage import (
    AlertAlreadyReviewed,
    alert_attach,
    alert_dismiss,
    alert_escalate,
    alerts_bulk_dismiss,
    priority_for_alert,
)

__all__ = [
    "EXPORT_FIELDS",
    "EXPORT_FORMATS",
    "AlertAlreadyReviewed",
    "IngestResult",
    "PollOutcome",
    "PostInput",
    "SchoolProfile",
    "alert_attach",
    "alert_dismiss",
    "alert_escalate",
    "alerts_bulk_dismiss",
    "backoff_delay",
    "posts_ingest",
    "priority_for_alert",
    "school_profiles_for",
    "source_create",
    "source_enabled_set",
    "source_for_push_token",
    "source_poll",
    "source_push_token_issue",
    "source_token_rotate",
    "sources_claim_due",
    "text_fingerprint",
    "triage_export_record",
]
