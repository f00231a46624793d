"""Alert triage and sources through the staff API (mounted by config/api_urls.py).

Thin over alerts.selectors and alerts.services, with the feed's scope: alerts for whoever may
TRIAGE_ALERTS at the alert's school (out of scope: 404), sources for district admins. A user
with no such role anywhere gets 403 on the lists, as on the staff pages. The push API for
vendors is alerts/api.py; push tokens are issued here, shown once.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from accounts import permissions
from accounts.permissions import Action
from config.api import endpoint
from tipline.api.filters import IdFilter
from tipline.api.serializers import MAX_ID, CaseSerializer
from tipline.models import Case
from tipline.selectors import case_get_for_user
from tipline.web_urls import web_url_or_blank

from . import selectors, services
from .models import Alert, AlertStatus, DismissalReason, Post, Severity, Source
from .selectors import FeedFilters

TAG_ALERTS, TAG_SOURCES = "alerts", "sources"


class PostSerializer(serializers.ModelSerializer):
    source_name = serializers.CharField(source="source.name", read_only=True)
    url = serializers.SerializerMethodField(help_text="An http(s) link, or empty.")

    class Meta:
        model = Post
        fields = [
            "id",
            "source",
            "source_name",
            "external_id",
            "author_handle",
            "text",
            "url",
            "posted_at",
            "received_at",
        ]
        read_only_fields = fields

    def get_url(self, post: Post) -> str:
        # Rows stored before URLs were checked at ingest may hold anything.
        return web_url_or_blank(post.url)


class AlertSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    post = PostSerializer(read_only=True)
    categories = serializers.DictField(child=serializers.FloatField(), read_only=True)
    matches = serializers.ListField(child=serializers.JSONField(), read_only=True)
    school_matches = serializers.ListField(child=serializers.JSONField(), read_only=True)
    dismissal_reason = serializers.ChoiceField(
        choices=DismissalReason.choices, allow_blank=True, read_only=True
    )
    reviewed_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    case = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "school",
            "school_name",
            "status",
            "severity",
            "score",
            "top_category",
            "categories",
            "matches",
            "school_matches",
            "dismissal_reason",
            "reviewed_by",
            "reviewed_at",
            "case",
            "group_size",
            "created_at",
            "last_seen_at",
            "post",
        ]
        read_only_fields = fields


class SourceSerializer(serializers.ModelSerializer):
    """A source and its health. Secrets (app password, session, push token) never appear."""

    has_push_token = serializers.SerializerMethodField()
    server_url = serializers.CharField(read_only=True)
    feed_url = serializers.CharField(read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "district",
            "kind",
            "name",
            "schools",
            "server_url",
            "query",
            "feed_url",
            "account_handle",
            "enabled",
            "poll_interval_seconds",
            "last_polled_at",
            "last_success_at",
            "last_error",
            "last_error_at",
            "consecutive_failures",
            "next_poll_at",
            "has_push_token",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_push_token(self, source: Source) -> bool:
        return bool(source.push_token_digest)


class DismissSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DismissalReason.choices)


class AttachSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="An open case id.")


class PushTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: only its SHA-256 is kept.")


class AlertFilter(django_filters.FilterSet):
    """The feed's filters, applied by alerts.selectors.alerts_feed (the feed page's query)."""

    school = IdFilter()
    category = django_filters.CharFilter(max_length=16)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    source = IdFilter()
    since = django_filters.DateFilter()
    until = django_filters.DateFilter()

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        filters = FeedFilters(**{name: data.get(name) or default for name, default in _DEFAULTS})
        return selectors.alerts_feed(user=self.request.user, filters=filters)


_DEFAULTS = [
    ("school", None),
    ("category", ""),
    ("severity", ""),
    ("status", ""),
    ("source", None),
    ("since", None),
    ("until", None),
]


def _require(user, action: Action) -> None:
    if not permissions.school_ids_for(user, action):
        raise PermissionDenied


@extend_schema(tags=[TAG_ALERTS])
class AlertList(generics.ListAPIView):
    """Alerts at the schools where you triage, newest first, narrowed by the feed's filters."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    throttle_scope = "api_read"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        _require(self.request.user, Action.TRIAGE_ALERTS)
        return selectors.alerts_visible_to(user=self.request.user)


def _alert(request, alert_id: int) -> Alert:
    return selectors.alert_get_for_user(user=request.user, alert_id=alert_id)


@extend_schema(tags=[TAG_ALERTS], responses=AlertSerializer)
@endpoint(["GET"], scope="api_read")
def alert_detail(request, alert_id: int):
    return Response(AlertSerializer(_alert(request, alert_id)).data)


@extend_schema(tags=[TAG_ALERTS], request=DismissSerializer, responses=AlertSerializer)
@endpoint(["POST"], scope="api_write")
def alert_dismiss(request, alert_id: int):
    """Dismiss a new alert with a reason; 409 when someone already reviewed it."""
    alert = _alert(request, alert_id)
    serializer = DismissSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    services.alert_dismiss(
        alert=alert, reason=serializer.validated_data["reason"], actor=request.user
    )
    return Response(AlertSerializer(_alert(request, alert_id)).data)


@extend_schema(tags=[TAG_ALERTS], request=None, responses={status.HTTP_201_CREATED: CaseSerializer})
@endpoint(["POST"], scope="api_write")
def alert_escalate(request, alert_id: int):
    """Open a new case for the alert's school with the post on it; answers the case."""
    alert = _alert(request, alert_id)
    if not permissions.can(request.user, Action.WORK_CASES, alert.school_id):
        raise PermissionDenied
    case = services.alert_escalate(alert=alert, actor=request.user)
    case = (
        Case.objects.select_related("school", "assignee").prefetch_related("tags").get(id=case.id)
    )
    return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG_ALERTS], request=AttachSerializer, responses=CaseSerializer)
@endpoint(["POST"], scope="api_write")
def alert_attach(request, alert_id: int):
    """Put the alert's post on an existing case you work (its survivor, if merged)."""
    alert = _alert(request, alert_id)
    serializer = AttachSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    case = case_get_for_user(
        user=request.user, case_id=serializer.validated_data["case"], action=Action.WORK_CASES
    )
    case = services.alert_attach(alert=alert, case=case, actor=request.user)
    case = (
        Case.objects.select_related("school", "assignee").prefetch_related("tags").get(id=case.id)
    )
    return Response(CaseSerializer(case).data)


@extend_schema(tags=[TAG_SOURCES])
class SourceList(generics.ListAPIView):
    """Sources of the districts you administer, with their polling health."""

    serializer_class = SourceSerializer
    filter_backends: list = []
    throttle_scope = "api_read"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Source.objects.none()
        _require(self.request.user, Action.MANAGE_SCHOOL)
        return selectors.sources_managed_by(user=self.request.user)


def _source(request, source_id: int) -> Source:
    source = selectors.sources_managed_by(user=request.user).filter(id=source_id).first()
    if source is None:
        raise exceptions.NotFound()
    return source


@extend_schema(tags=[TAG_SOURCES], responses=SourceSerializer)
@endpoint(["GET"], scope="api_read")
def source_detail(request, source_id: int):
    return Response(SourceSerializer(_source(request, source_id)).data)


@extend_schema(
    tags=[TAG_SOURCES], request=None, responses={status.HTTP_201_CREATED: PushTokenSerializer}
)
@endpoint(["POST"], scope="api_write")
def source_push_token(request, source_id: int):
    """Issue a new push token for a push source (the old one stops working). Shown once."""
    source = _source(request, source_id)
    try:
        token = services.source_push_token_issue(source=source)
    except ValueError as error:  # not a push source
        raise exceptions.ValidationError({"non_field_errors": [str(error)]}) from None
    return Response({"token": token}, status=status.HTTP_201_CREATED)
