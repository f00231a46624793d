"""Connectors: one module per outside service, each under the small base class in base.py.

Every connector takes an injected ``httpx.Client`` (the one seam tests fake) and returns a
FetchResult; none of them touches the database. ``connector_for`` picks one by Source kind.
"""

import httpx

from .base import Connector, ConnectorError, FetchedPost, FetchResult, RateLimited
from .bluesky import BlueskyConnector
from .mastodon import MastodonConnector
from .rss import FeedConnector

__all__ = ["ConnectorError", "FetchResult", "FetchedPost", "RateLimited", "connector_for"]

CONNECTORS = {c.kind: c for c in (MastodonConnector, BlueskyConnector, FeedConnector)}


def connector_for(*, source, client: httpx.Client) -> Connector:
    try:
        return CONNECTORS[source.kind](client=client, source=source)
    except KeyError:
        raise ConnectorError(
            f"no connector polls {source.kind!r} sources", transient=False
        ) from None
