"""Alert figures for the summaries: counts per school, source and period, from the alert rows.

The summaries sit above both intakes, so they read alerts' rows directly (as they read cases
and tipline's), without going through the alerts app's pages."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Q, Value, When

from alerts.models import Alert, AlertStatus, DismissalReason

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

    It reads the alerts' own source (copied from the post when raised) and, on PostgreSQL,
    only the alert_school_created_idx index: one range per school over both windows (they
    are adjacent), never the posts.
    """
    in_current = Q(created_at__gte=current[0], created_at__lt=current[1])
    in_previous = Q(created_at__gte=previous[0], created_at__lt=previous[1])
    # The span covering both windows lets the index scan one range; the OR keeps it exact
    # should the windows ever not touch.
    span = Q(
        created_at__gte=min(current[0], previous[0]), created_at__lt=max(current[1], previous[1])
    )
    rows = (
        Alert.objects.filter(Q(school_id__in=school_ids) & span & (in_current | in_previous))
        .annotate(
            which=SqlCase(
                When(in_current, then=Value(CURRENT)),
                default=Value(PREVIOUS),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values("school_id", "source_id", "source__name", "which")
        # Counting "status" (never null) instead of "id" keeps every column in the index, so
        # PostgreSQL reads no table rows at all (an index-only scan).
        .annotate(
            alerts=Count("status"),
            escalated=Count("status", filter=Q(status=AlertStatus.ESCALATED)),
            dismissed=Count("status", filter=Q(status=AlertStatus.DISMISSED)),
            false_positives=Count(
                "status",
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
            "source_id": row["source_id"],
            "source_name": row["source__name"],
            "which": row["which"],
            "alerts": row["alerts"],
            "escalated": row["escalated"],
            "dismissed": row["dismissed"],
            "false_positives": row["false_positives"],
        }
        for row in rows
    ]
