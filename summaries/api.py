"""Summary endpoints: the figures of the school and district summary pages, as JSON.

The same builders as the pages (summaries.build), so the same small-cell
suppression: a suppressed cell carries `suppressed: true`, its `display` ("<5") and no
number. Scope as on the pages: a school's summary for anyone who may VIEW_SUMMARY there, a
district's for that district's admins; anything else is 404.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.api import endpoint
from summaries.selectors import district_for_summary, school_for_summary

from .build import SORT_KEYS, district_summary, school_summary
from .periods import Period, PeriodError, local_today, period_from_query
from .suppression import COUNT, DAY, DURATION, RATE, TEXT, Cell

TAG = "summaries"


class CellSerializer(serializers.Serializer):
    """One figure. `number`: counts as integers, rates as fractions (0.25 = 25%), durations
    in seconds; null when suppressed, empty or text."""

    display = serializers.CharField()
    kind = serializers.ChoiceField(choices=[COUNT, RATE, DURATION, TEXT])
    suppressed = serializers.BooleanField()
    number = serializers.FloatField(allow_null=True)


class TableSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=CellSerializer()))
    footer = serializers.ListField(child=serializers.ListField(child=CellSerializer()))


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()


class SummarySerializer(serializers.Serializer):
    period = PeriodSerializer()
    threshold = serializers.IntegerField(help_text="Counts below this are suppressed.")
    headline = serializers.DictField(child=CellSerializer())
    tables = TableSerializer(many=True)


def _cell(cell: Cell) -> dict:
    if cell.kind == DAY:
        # A trend's date, as it always was in the API: an ISO text cell (the page shows it
        # as "6 Ene 2025" in the reader's language; a client formats it as it likes).
        return {"display": cell.csv, "kind": TEXT, "suppressed": False, "number": None}
    return {
        "display": cell.display,
        "kind": cell.kind,
        "suppressed": cell.suppressed,
        "number": cell.number,
    }


def _summary_data(summary) -> dict:
    period: Period = summary.period
    return {
        "period": {
            "key": period.key,
            "label": period.label,
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
        },
        "threshold": summary.threshold,
        "headline": {name: _cell(cell) for name, cell in summary.headline.items()},
        "tables": [
            {
                "slug": table.slug,
                "title": table.title,
                "note": table.note,
                "columns": list(table.columns),
                "rows": [[_cell(cell) for cell in row] for row in table.rows],
                "footer": [[_cell(cell) for cell in row] for row in table.footer],
            }
            for table in summary.tables
        ],
    }


def _period(request, tz: str) -> Period:
    """The pages' own validator (tipline.summaries.periods.period_from_query): a refused
    period is a 400 with its message under `period`."""
    try:
        return period_from_query(request.query_params.get("period"), today=local_today(tz))
    except PeriodError as error:
        raise exceptions.ValidationError({"period": [str(error)]}) from None


PERIOD_PARAMETER = OpenApiParameter(
    "period",
    OpenApiTypes.STR,
    description="2025-03 (month), 2025-W10, 2025-Q1, 2025, SY2024 (school year), "
    "2025-01-01..2025-02-15. Default: this month. Periods before 1970 or not yet begun "
    "answer 400.",
)


@extend_schema(tags=[TAG], parameters=[PERIOD_PARAMETER], responses=SummarySerializer)
@endpoint(["GET"], scope="api_read")
def school_summary_view(request, school_id: int):
    """One school's summary for a period, with the previous period beside it."""
    school = school_for_summary(user=request.user, school_id=school_id)
    summary = school_summary(school=school, period=_period(request, school.timezone))
    return Response(_summary_data(summary))


@extend_schema(
    tags=[TAG],
    parameters=[
        PERIOD_PARAMETER,
        OpenApiParameter("sort", OpenApiTypes.STR, enum=sorted(SORT_KEYS)),
        OpenApiParameter("dir", OpenApiTypes.STR, enum=["asc", "desc"]),
    ],
    responses=SummarySerializer,
)
@endpoint(["GET"], scope="api_read")
def district_summary_view(request, district_id: int):
    """The district's schools side by side (district admins of that district only)."""
    district = district_for_summary(user=request.user, district_id=district_id)
    sort = request.query_params.get("sort", "school")
    summary = district_summary(
        district=district,
        period=_period(request, district.timezone),
        sort=sort if sort in SORT_KEYS else "school",
        descending=request.query_params.get("dir") == "desc",
    )
    return Response(_summary_data(summary))
