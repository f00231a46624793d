"""Mastodon: the public hashtag timeline, read forward with a ``min_id`` cursor.

GET {server}/api/v1/timelines/tag/{tag}?limit=40&min_id={cursor}. With ``min_id`` Mastodon
returns the page of statuses immediately newer than the cursor (newest first within the
page), so each poll walks forward from where the last one stopped, up to MAX_PAGES pages.
"""

from __future__ import annotations

from urllib.parse import quote

from .base import Connector, ConnectorError, FetchedPost, FetchResult, html_to_text, parse_datetime

PAGE_SIZE = 40
MAX_PAGES = 5


def _status_id_key(value: str) -> tuple[int, str]:
    # Snowflake ids are numeric strings: compare by length then text, never as floats.
    return (len(value), value)


class MastodonConnector(Connector):
    kind = "mastodon"

    def fetch(self) -> FetchResult:
        server = (self.source.server_url or "").rstrip("/")
        tag = (self.source.query or "").lstrip("#").strip()
        if not server or not tag:
            raise ConnectorError(
                "mastodon: the source needs a server URL and a hashtag", transient=False
            )
        url = f"{server}/api/v1/timelines/tag/{quote(tag)}"
        cursor = self.source.cursor or ""
        result = FetchResult(cursor=cursor or None)
        for _page in range(MAX_PAGES):
            params = {"limit": PAGE_SIZE}
            if cursor:
                params["min_id"] = cursor
            response = self.request("GET", url, params=params)
            self.fail_for_status(response)
            statuses = self.json(response)
            if not isinstance(statuses, list):
                raise ConnectorError("mastodon: expected a list of statuses")
            newest = cursor
            for status in statuses:
                post = self._post(status)
                if post is None:
                    result.skipped += 1
                    continue
                result.posts.append(post)
                if not newest or _status_id_key(post.external_id) > _status_id_key(newest):
                    newest = post.external_id
            if newest == cursor:
                break
            cursor = newest
            result.cursor = cursor
            if len(statuses) < PAGE_SIZE:
                break
        return result

    def _post(self, status) -> FetchedPost | None:
        if not isinstance(status, dict):
            return None
        status_id = status.get("id")
        if not isinstance(status_id, str) or not status_id.isdigit():
            return None
        # A boost carries the original inside "reblog": score the original's words.
        body = status.get("reblog") if isinstance(status.get("reblog"), dict) else status
        content = body.get("content")
        if not isinstance(content, str):
            return None
        spoiler = body.get("spoiler_text") or ""
        text = html_to_text(content)
        if isinstance(spoiler, str) and spoiler.strip():
            text = f"{spoiler.strip()}\n{text}"
        account = status.get("account") if isinstance(status.get("account"), dict) else {}
        return FetchedPost(
            external_id=status_id,
            text=text,
            author_handle="@" + str(account.get("acct") or "").lstrip("@") if account else "",
            url=str(body.get("url") or status.get("uri") or ""),
            posted_at=parse_datetime(status.get("created_at")),
        )
