"""The push API: POST /api/v1/alerts/posts/ with a Source's push token.

    Authorization: Bearer <token>
    {"posts": [{"external_id": "123", "text": "...", "author": "@someone",
                "url": "https://...", "posted_at": "2026-03-02T08:15:00Z"}, ...]}

Up to MAX_BATCH posts a request. Each item is validated on its own: valid items are stored
(idempotent on the source and external id: re-sending a post is a harmless duplicate),
scored and alerted; invalid ones come back in `errors` with their index and a message per
field. 200 when at least one item was acceptable, 400 when none was (or the body is wrong).
"""

from __future__ import annotations

from datetime import UTC

from django.contrib.auth.models import AnonymousUser
from django.utils.dateparse import parse_datetime
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from tipline.web_urls import is_web_url

from .models import Source
from .services import PostInput, posts_ingest, source_for_push_token

MAX_BATCH = 1000
MAX_TEXT = 10_000
MAX_EXTERNAL_ID = 300

BAD_TOKEN = "Unknown or disabled push token."  # noqa: S105 - a message, not a secret
NOT_A_BATCH = 'Send a JSON object with a "posts" list.'
TOO_MANY = f"At most {MAX_BATCH} posts per request."
EMPTY_BATCH = "The posts list is empty."
REQUIRED = "This field is required."
NOT_TEXT = "Must be a string."
BAD_URL = "Must be an http or https URL."
HAS_NUL = "Must not contain NUL characters."  # PostgreSQL cannot store them in text
BAD_TIME = "Must be an ISO 8601 date and time, e.g. 2026-03-02T08:15:00Z."
NOT_AN_OBJECT = "Each post must be a JSON object."


class PushTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`; request.auth becomes the push Source."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(BAD_TOKEN)
        source = source_for_push_token(parts[1].decode("latin-1"))
        if source is None:
            raise AuthenticationFailed(BAD_TOKEN)
        return (AnonymousUser(), source)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="alerts push"'


class IsPushSource(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Source)


def _text_field(item: dict, name: str, errors: dict, *, required: bool, limit: int) -> str:
    value = item.get(name)
    plain = type(value) is str and value and len(value) <= limit and "\x00" not in value
    if plain and not value.isspace():
        return value  # the common case, decided at once
    if value is None or value == "":
        if required:
            errors[name] = [REQUIRED]
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and name == "external_id":
        value = str(value)
    if not isinstance(value, str):
        errors[name] = [NOT_TEXT]
        return ""
    if required and not value.strip():
        errors[name] = [REQUIRED]
    elif len(value) > limit:
        errors[name] = [f"At most {limit} characters."]
    elif "\x00" in value:
        errors[name] = [HAS_NUL]
    return value


def post_input_from(item) -> tuple[PostInput | None, dict[str, list[str]]]:
    """One pushed item -> a PostInput, or the errors per field."""
    if not isinstance(item, dict):
        return None, {"non_field_errors": [NOT_AN_OBJECT]}
    errors: dict[str, list[str]] = {}
    external_id = _text_field(item, "external_id", errors, required=True, limit=MAX_EXTERNAL_ID)
    text = _text_field(item, "text", errors, required=True, limit=MAX_TEXT)
    author = _text_field(item, "author", errors, required=False, limit=200)
    url = _text_field(item, "url", errors, required=False, limit=1000)
    # The validator every connector's posts go through at ingest too (tipline.web_urls).
    if url and "url" not in errors and not is_web_url(url):
        errors["url"] = [BAD_URL]
    posted_at = None
    raw_time = item.get("posted_at")
    if raw_time not in (None, ""):
        parsed = parse_datetime(raw_time) if isinstance(raw_time, str) else None
        if parsed is None:
            errors["posted_at"] = [BAD_TIME]
        else:
            posted_at = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if errors:
        return None, errors
    return PostInput(external_id, text, author, url, posted_at), {}


@api_view(["POST"])
@authentication_classes([PushTokenAuthentication])
@permission_classes([IsPushSource])
def posts_push(request):
    body = request.data
    posts = body.get("posts") if isinstance(body, dict) else None
    if not isinstance(posts, list):
        return Response({"detail": NOT_A_BATCH}, status=status.HTTP_400_BAD_REQUEST)
    if not posts:
        return Response({"detail": EMPTY_BATCH}, status=status.HTTP_400_BAD_REQUEST)
    if len(posts) > MAX_BATCH:
        return Response({"detail": TOO_MANY}, status=status.HTTP_400_BAD_REQUEST)
    valid: list[PostInput] = []
    errors = []
    for index, item in enumerate(posts):
        post, item_errors = post_input_from(item)
        if post is None:
            external_id = item.get("external_id") if isinstance(item, dict) else None
            errors.append({"index": index, "external_id": external_id, "errors": item_errors})
        else:
            valid.append(post)
    result = posts_ingest(source=request.auth, posts=valid) if valid else None
    payload = {
        "received": len(posts),
        "stored": result.created if result else 0,
        "duplicates": result.duplicates if result else 0,
        "alerts": result.alerts_created if result else 0,
        "grouped": result.alerts_grouped if result else 0,
        "rejected": len(errors),
        "errors": errors,
    }
    code = status.HTTP_200_OK if valid else status.HTTP_400_BAD_REQUEST
    return Response(payload, status=code)
