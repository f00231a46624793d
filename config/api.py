"""What every /api/v1/ endpoint shares: the error body (the view decorator is accounts.api).

(Pagination and the schema class are config/api_pagination.py and config/api_schema.py:
DRF imports those while loading its own views, so they stay apart from anything that does.)

Every error answers with one shape, whatever raised it (DRF, Django, or our services):

    {"error": {"code": "stale", "message": "Someone else changed this case…", "fields": {}}}

`fields` maps a request field to its messages (validation errors only). Services raise
their own exceptions (StaleCaseError, CaseWorkflowError, AlertAlreadyReviewed…); they are
translated here once, so views stay thin and no view decides a status code on its own.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from accounts.api_tokens import ApiTokenError

INVALID_MESSAGE = "The request is not valid."
NON_FIELD = "non_field_errors"
ERROR_STATUSES = ("400", "401", "403", "404", "409", "429")


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    error = ErrorDetailSerializer()


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {text}" for key, value in detail.items() for text in _messages(value)]
    if isinstance(detail, list):
        return [text for item in detail for text in _messages(item)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(name): _messages(value) for name, value in detail.items()}
    return {NON_FIELD: _messages(detail)}


def _translated(exc):
    """Our services' and Django's exceptions as the DRF exception that answers them."""
    # Imported here: DRF imports this module (its schema class) while apps are still loading.
    from alerts.services.triage import AlertAlreadyReviewed
    from cases.services.workflow import CasePermissionError, StaleCaseError

    if isinstance(exc, StaleCaseError):
        conflict = exceptions.APIException(str(exc), code="stale")
        conflict.status_code = status.HTTP_409_CONFLICT
        return conflict
    if isinstance(exc, AlertAlreadyReviewed):
        conflict = exceptions.APIException(str(exc), code="already_reviewed")
        conflict.status_code = status.HTTP_409_CONFLICT
        return conflict
    # Readable but not actionable is shown as missing, as the HTML does (out of scope: 404).
    if isinstance(exc, (Http404, CasePermissionError)):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, ApiTokenError):
        return exceptions.ValidationError({NON_FIELD: [str(exc)]})
    return exc


def api_exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error in the one body shape."""
    exc = _translated(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handling (and its logging) takes over
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{int(exc.wait)}"
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", INVALID_MESSAGE, _fields(exc.detail))
    else:
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        body = error_body(str(code), " ".join(_messages(detail)))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
