"""Triage decisions as training rows for the scorer, exported by a district admin.

A counselor's decision on an alert is a label: escalated means the text was what the
scorer said (label 1 for the alert's top category), dismissed as a false positive means
it was not (label 0). The rows are read through ``alerts.selectors.triage_labels_for``
(the admin's district only, posts whose text retention has not erased yet), and every
export is written down as a TriageExport row per district before any row leaves.
``python -m scoring.train --extra <export>.jsonl`` re-trains on them; the shipped model
only changes when someone commits the new artifact (its version changes with it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import transaction

from alerts.models import Alert, AlertStatus, TriageExport

EXPORT_FORMATS = ("jsonl", "csv")
EXPORT_FIELDS = (
    "text",
    "category",
    "label",
    "alert_id",
    "school",
    "score",
    "model_version",
    "reviewed_at",
)


def triage_row(alert: Alert) -> dict[str, object]:
    """One labelled row (no author, no link: the text and the decision are enough)."""
    return {
        "text": alert.post.text,
        "category": alert.top_category,
        "label": 1 if alert.status == AlertStatus.ESCALATED else 0,
        "alert_id": alert.id,
        "school": alert.school.slug,
        "score": alert.score,
        "model_version": alert.model_version,
        "reviewed_at": alert.reviewed_at.isoformat() if alert.reviewed_at else "",
    }


@transaction.atomic
def triage_export_record(
    *, alerts: Iterable[Alert], actor, export_format: str
) -> list[dict[str, object]]:
    """The rows of ``alerts`` (already scoped to ``actor``), after recording the export."""
    if export_format not in EXPORT_FORMATS:
        raise ValueError(f"export format must be one of {EXPORT_FORMATS}")
    chosen = list(alerts)
    per_district = Counter(alert.school.district_id for alert in chosen)
    TriageExport.objects.bulk_create(
        TriageExport(
            district_id=district_id, exported_by=actor, export_format=export_format, rows=rows
        )
        for district_id, rows in sorted(per_district.items())
    )
    return [triage_row(alert) for alert in chosen]
