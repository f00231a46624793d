"""Alert figures for the tipline summaries, reached through settings.TIPLINE_ALERT_SUMMARY.

tipline never imports alerts (DESIGN.md); it calls this function by its dotted path, the way
Django reaches its backends, and gets plain rows back.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Q, Value, When

from .models import Alert, AlertStatus, DismissalReason

CURRENT, PREVIOUS = 1, 0


def alert_figures(
    *,
    school_ids: list[int],
    current: tuple[datetime, datetime],
    previous: tuple[datetime, datetime],
) -> list[dict]:
    """Alerts raised in the two half-open windows, counted per (school, source, window).

    One grouped query. Each row: school_id, source_id, source_name, which (1 current,
    0 previous), alerts, escalated, dismissed, false_positives (dismissed as false positive).
    """
    in_current = Q(created_at__gte=current[0], created_at__lt=current[1])
    in_previous = Q(created_at__gte=previous[0], created_at__lt=previous[1])
    rows = (
        Alert.objects.filter(Q(school_id__in=school_ids) & (in_current | in_previous))
        .annotate(
            which=SqlCase(
                When(in_current, then=Value(CURRENT)),
                default=Value(PREVIOUS),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values("school_id", "post__source_id", "post__source__name", "which")
        .annotate(
            alerts=Count("id"),
            escalated=Count("id", filter=Q(status=AlertStatus.ESCALATED)),
            dismissed=Count("id", filter=Q(status=AlertStatus.DISMISSED)),
            false_positives=Count(
                "id",
                filter=Q(
                    status=AlertStatus.DISMISSED,
                    dismissal_reason=DismissalReason.FALSE_POSITIVE,
                ),
            ),
        )
    )
    return [
        {
            "school_id": row["school_id"],
            "source_id": row["post__source_id"],
            "source_name": row["post__source__name"],
            "which": row["which"],
            "alerts": row["alerts"],
            "escalated": row["escalated"],
            "dismissed": row["dismissed"],
            "false_positives": row["false_positives"],
        }
        for row in rows
    ]
