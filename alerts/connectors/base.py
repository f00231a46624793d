"""The base of every connector, and the errors the poller understands."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from scoring.encodable import encodable

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "school-tipline-alerts/1.0 (+https://github.com/)"


class ConnectorError(Exception):
    """The source could not be read this time. ``transient`` errors are worth retrying."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


class RateLimited(ConnectorError):
    """HTTP 429: wait ``retry_after`` seconds (from Retry-After, or a default) before the next
    request."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, transient=True)
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchedPost:
    """One post as a connector or the push API hands it to ingest. Its texts are made
    storable here, the one seam every post passes: a NUL (PostgreSQL's text cannot hold it)
    and a lone surrogate (UTF-8 cannot encode it: a feed that cut an emoji's pair) become
    U+FFFD, so one broken character never loses the post or the rest of its batch."""

    external_id: str
    text: str
    author_handle: str = ""
    url: str = ""
    posted_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("external_id", "text", "author_handle", "url"):
            value = getattr(self, name)
            if isinstance(value, str) and (not value.isascii() or "\x00" in value):
                object.__setattr__(self, name, storable(value))


def storable(value: str) -> str:
    """``value`` with NULs and lone surrogates replaced by U+FFFD."""
    return encodable(value.replace("\x00", "\ufffd"))


@dataclass
class FetchResult:
    """What one poll found. Fields left None keep the source's stored value."""

    posts: list[FetchedPost] = field(default_factory=list)
    cursor: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    session_state: str | None = None
    not_modified: bool = False
    skipped: int = 0  # malformed items left out


_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def html_to_text(markup: str) -> str:
    """Plain text of a small HTML fragment (post bodies): tags dropped, entities decoded."""
    text = _BREAK.sub("\n", markup or "")
    text = html.unescape(_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def parse_datetime(value: str | None) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def retry_after_seconds(response: httpx.Response, default: int = 60) -> int:
    """Seconds to wait from a 429's Retry-After (delta-seconds or HTTP-date)."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return max(1, int(value))
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(1, int((when - datetime.now(UTC)).total_seconds()))
    return default


class Connector:
    """Reads one Source. Subclasses implement ``fetch``; ``request`` maps HTTP failures."""

    kind = ""

    def __init__(self, *, client: httpx.Client, source) -> None:
        self.client = client
        self.source = source

    def fetch(self) -> FetchResult:
        raise NotImplementedError

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        """Send, and turn transport errors, 429 and 5xx into ConnectorError subclasses.

        Other 4xx responses are returned: the caller knows what they mean for its API.
        """
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
        try:
            response = self.client.request(method, url, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ConnectorError(f"{self.kind}: timed out ({exc.__class__.__name__})") from exc
        except httpx.HTTPError as exc:
            raise ConnectorError(f"{self.kind}: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code == 429:
            seconds = retry_after_seconds(response)
            raise RateLimited(
                f"{self.kind}: rate limited (429), retry after {seconds} s", retry_after=seconds
            )
        if response.status_code >= 500:
            raise ConnectorError(f"{self.kind}: server error {response.status_code}")
        return response

    def json(self, response: httpx.Response):
        try:
            return response.json()
        except ValueError as exc:
            raise ConnectorError(f"{self.kind}: malformed JSON in the response") from exc

    def fail_for_status(self, response: httpx.Response) -> None:
        if response.status_code >= 400:
            raise ConnectorError(
                f"{self.kind}: HTTP {response.status_code} {_brief(response)}",
                transient=False,
            )


def _brief(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:120]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or "")[:120]
    return ""
