"""Links that come from outside (a social post's address) and are shown to staff as links.

Only an absolute http(s) URL with a host, and nothing a browser would read as a control
character, may become a link: a `javascript:` or `data:` address from a connector, a vendor
or an old row must never reach an href. Links are shown, never fetched, so nothing more is
checked. Used when posts are stored (alerts ingest and the push API), when an escalated post
is copied onto a case, by the API, and by the template filters that draw the links.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_WEB_URL_LENGTH = 1000  # Post.url's column
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
# The common shape, accepted without urlsplit (which costs more than the rest of a pushed
# item's validation): every string it matches passes the full check below too.
_PLAIN_WEB_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]+)?(?:[/?#][!-~]*)?\Z")


def is_web_url(value: object) -> bool:
    """True for an absolute http or https URL with a host, no spaces and no control
    characters, of at most MAX_WEB_URL_LENGTH characters."""
    if not isinstance(value, str) or not value or len(value) > MAX_WEB_URL_LENGTH:
        return False
    if _PLAIN_WEB_URL.match(value):
        return True
    if _SPACE_OR_CONTROL.search(value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host)


def web_url_or_blank(value: object) -> str:
    """The URL when is_web_url accepts it (surrounding spaces dropped), else ""."""
    text = value.strip() if isinstance(value, str) else ""
    return text if is_web_url(text) else ""
