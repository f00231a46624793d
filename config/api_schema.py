"""The API's OpenAPI schema class (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from .api import ERROR_STATUSES, ErrorSerializer


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the error responses every endpoint can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/") or "/alerts/posts/" in self.path:
            return responses
        for code in ERROR_STATUSES:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code)
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (tl_…) from /accounts/tokens/.",
        }


class VerifiedSessionScheme(SessionScheme):
    """The browser's session cookie, as drf-spectacular describes Django's own (the class
    differs only in also requiring the second factor)."""

    target_class = "accounts.api_tokens.VerifiedSessionAuthentication"


class PushTokenScheme(OpenApiAuthenticationExtension):
    target_class = "alerts.api.PushTokenAuthentication"
    name = "pushToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A push source's token (POST /api/v1/sources/{id}/push-token/).",
        }


class PushedPostSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=10_000)
    author = serializers.CharField(required=False, max_length=200)
    url = serializers.URLField(required=False, max_length=1000)
    posted_at = serializers.DateTimeField(required=False)


class PushBatchSerializer(serializers.Serializer):
    posts = PushedPostSerializer(many=True, max_length=1000)


class PushResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    alerts = serializers.IntegerField()
    grouped = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


class PushApiSchema(OpenApiViewExtension):
    """Documents the vendors' push API (alerts/api.py) without touching its module."""

    target_class = "alerts.api.posts_push"

    def view_replacement(self):
        return extend_schema(
            tags=["push"],
            summary="Push posts from a vendor (per-source push token)",
            request=PushBatchSerializer,
            responses={
                200: PushResultSerializer,
                400: OpenApiTypes.OBJECT,
                401: ErrorSerializer,
                403: ErrorSerializer,
            },
        )(self.target)
