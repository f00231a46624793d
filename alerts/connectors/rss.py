"""RSS and Atom feeds through feedparser, with timeouts and conditional GET.

The feed is fetched by our injected httpx client (never by feedparser itself), sending the
stored ETag and Last-Modified; a 304 means nothing new. Entries are identified by their id
(guid), or their link when a feed has no ids; storing is idempotent on that id.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

import feedparser

from .base import Connector, ConnectorError, FetchedPost, FetchResult, html_to_text


def _entry_time(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


class FeedConnector(Connector):
    kind = "rss"

    def fetch(self) -> FetchResult:
        url = self.source.feed_url
        if not url:
            raise ConnectorError("rss: the source has no feed URL", transient=False)
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
        if self.source.etag:
            headers["If-None-Match"] = self.source.etag
        if self.source.last_modified:
            headers["If-Modified-Since"] = self.source.last_modified
        response = self.request("GET", url, headers=headers, follow_redirects=True)
        if response.status_code == 304:
            return FetchResult(not_modified=True)
        self.fail_for_status(response)
        feed = feedparser.parse(response.content)
        result = FetchResult(
            etag=response.headers.get("ETag", ""),
            last_modified=response.headers.get("Last-Modified", ""),
        )
        for entry in feed.entries:
            post = self._post(entry)
            if post is None:
                result.skipped += 1
            else:
                result.posts.append(post)
        # feedparser recovers what it can from broken XML; a feed it could not read a single
        # usable entry from (or that is no feed at all) is an error the admins should see.
        if (feed.bozo or not feed.version) and not result.posts:
            problem = getattr(feed, "bozo_exception", None)
            detail = problem.__class__.__name__ if problem else "not RSS or Atom"
            raise ConnectorError(f"rss: malformed feed ({detail})")
        return result

    def _post(self, entry) -> FetchedPost | None:
        external_id = entry.get("id") or entry.get("link")
        title = html_to_text(entry.get("title", ""))
        summary = html_to_text(entry.get("summary", ""))
        text = "\n".join(part for part in (title, summary) if part)
        if not external_id or not text:
            return None
        return FetchedPost(
            external_id=str(external_id)[:300],
            text=text,
            author_handle=str(entry.get("author", ""))[:200],
            url=str(entry.get("link", "")),
            posted_at=_entry_time(entry),
        )
