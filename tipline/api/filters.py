"""Query filters for the case list (django-filter), applied inside the user's scope."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField

from ..models import OPEN_STATUSES, Case, CaseStatus, Category, Channel, Priority
from .serializers import MAX_ID


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number in the column's range (anything else is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant, handed to the database in UTC. Python accepts offsets up to 24
    hours that PostgreSQL refuses (its range is +-15:59: a DataError, a 500), and an instant
    near year 1 or 9999 may not exist in UTC: both are a 400 with this message."""

    default_error_messages = {"invalid": "Enter an ISO 8601 date and time, e.g. 2026-03-02T08:15Z."}

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    tag = django_filters.ChoiceFilter(
        choices=Category.choices, field_name="tags__category", distinct=True
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    school = IdFilter(field_name="school_id")
    assignee = IdFilter(field_name="assignee_id")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    is_open = django_filters.BooleanFilter(
        method="filter_open", label="Open (new, triaged, in progress)"
    )
    merged = django_filters.BooleanFilter(
        field_name="merged_into", lookup_expr="isnull", exclude=True, label="Merged into another"
    )
    needs_review = django_filters.BooleanFilter()
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    reference = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.exclude(status__in=OPEN_STATUSES)
