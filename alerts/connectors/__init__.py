"""Connectors: one module per outside service, each under the small base class in base.py.

Every connector takes an injected ``httpx.Client`` (the one seam tests fake) and returns a
FetchResult; none of them touches the database. ``connector_for`` picks one by Source kind.
"""

from .base import ConnectorError, FetchedPost, FetchResult, RateLimited, connector_for

__all__ = ["ConnectorError", "FetchResult", "FetchedPost", "RateLimited", "connector_for"]
