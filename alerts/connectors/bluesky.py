"""Bluesky: ``app.bsky.feed.searchPosts`` (latest first) with an app-password session.

The session (access and refresh JWTs from ``com.atproto.server.createSession``) is kept on
the Source, encrypted, and reused across polls. It is refreshed with
``com.atproto.server.refreshSession`` only when the access token has expired (or the server
says so), and re-created only when the refresh token is no longer accepted.

Each poll asks for posts ``since`` the newest one seen (the stored cursor), newest first,
following the API's own pagination ``cursor`` for at most MAX_PAGES pages.
"""

from __future__ import annotations

import base64
import json
import time

from .base import Connector, ConnectorError, FetchedPost, FetchResult, parse_datetime

PAGE_SIZE = 100
MAX_PAGES = 5
# Refresh a little before expiry so a token does not lapse between check and use.
EXPIRY_MARGIN_SECONDS = 60
EXPIRED_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})


def jwt_expiry(token: str) -> float:
    """The ``exp`` claim of a JWT (unverified: we only need to know when to refresh)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return 0.0


class BlueskyConnector(Connector):
    kind = "bluesky"

    def fetch(self) -> FetchResult:
        server = (self.source.server_url or "https://bsky.social").rstrip("/")
        if not self.source.query:
            raise ConnectorError("bluesky: the source needs search words", transient=False)
        self.server = server
        session = self._load_session()
        session_changed = False
        if not session or jwt_expiry(session["accessJwt"]) < time.time() + EXPIRY_MARGIN_SECONDS:
            session = self._refresh_or_create(session)
            session_changed = True
        since = self.source.cursor or ""
        result = FetchResult(cursor=since or None)
        newest = since
        page_cursor = None
        for _page in range(MAX_PAGES):
            params = {"q": self.source.query, "sort": "latest", "limit": PAGE_SIZE}
            if since:
                params["since"] = since
            if page_cursor:
                params["cursor"] = page_cursor
            response = self._search(session, params)
            if response is None:  # the server said the token expired: refresh once
                session = self._refresh_or_create(session)
                session_changed = True
                response = self._search(session, params)
                if response is None:
                    raise ConnectorError("bluesky: the new session was refused", transient=False)
            body = self.json(response)
            posts = body.get("posts") if isinstance(body, dict) else None
            if not isinstance(posts, list):
                raise ConnectorError("bluesky: searchPosts answered without a posts list")
            for item in posts:
                post = self._post(item)
                if post is None:
                    result.skipped += 1
                    continue
                result.posts.append(post)
                stamp = item.get("indexedAt") or ""
                if isinstance(stamp, str) and stamp > newest:
                    newest = stamp
            page_cursor = body.get("cursor")
            if not page_cursor or len(posts) < PAGE_SIZE:
                break
        result.cursor = newest or None
        if session_changed:
            result.session_state = json.dumps(session)
        return result

    def _load_session(self) -> dict | None:
        try:
            session = json.loads(self.source.session_state or "null")
        except ValueError:
            return None
        if isinstance(session, dict) and session.get("accessJwt") and session.get("refreshJwt"):
            return session
        return None

    def _search(self, session: dict, params: dict):
        response = self.request(
            "GET",
            f"{self.server}/xrpc/app.bsky.feed.searchPosts",
            params=params,
            headers={"Authorization": f"Bearer {session['accessJwt']}"},
        )
        if response.status_code in (400, 401) and self._error_name(response) in EXPIRED_ERRORS:
            return None
        self.fail_for_status(response)
        return response

    def _refresh_or_create(self, session: dict | None) -> dict:
        if session and jwt_expiry(session["refreshJwt"]) > time.time() + EXPIRY_MARGIN_SECONDS:
            response = self.request(
                "POST",
                f"{self.server}/xrpc/com.atproto.server.refreshSession",
                headers={"Authorization": f"Bearer {session['refreshJwt']}"},
            )
            if response.status_code == 200:
                return self._session_from(response)
            if self._error_name(response) not in EXPIRED_ERRORS:
                self.fail_for_status(response)
        return self._create()

    def _create(self) -> dict:
        if not self.source.account_handle or not self.source.app_password:
            raise ConnectorError(
                "bluesky: the source needs a handle and an app password", transient=False
            )
        response = self.request(
            "POST",
            f"{self.server}/xrpc/com.atproto.server.createSession",
            json={"identifier": self.source.account_handle, "password": self.source.app_password},
        )
        if response.status_code == 401:
            raise ConnectorError("bluesky: the handle or app password was refused", transient=False)
        self.fail_for_status(response)
        return self._session_from(response)

    def _session_from(self, response) -> dict:
        body = self.json(response)
        if not isinstance(body, dict) or not body.get("accessJwt") or not body.get("refreshJwt"):
            raise ConnectorError("bluesky: the session answer had no tokens")
        return {key: body.get(key) for key in ("accessJwt", "refreshJwt", "did", "handle")}

    def _error_name(self, response) -> str:
        try:
            body = response.json()
        except ValueError:
            return ""
        return str(body.get("error", "")) if isinstance(body, dict) else ""

    def _post(self, item) -> FetchedPost | None:
        if not isinstance(item, dict):
            return None
        uri, record = item.get("uri"), item.get("record")
        author = item.get("author") if isinstance(item.get("author"), dict) else {}
        if not isinstance(uri, str) or not uri.startswith("at://") or not isinstance(record, dict):
            return None
        text = record.get("text")
        if not isinstance(text, str):
            return None
        handle = str(author.get("handle") or "")
        rkey = uri.rsplit("/", 1)[-1]
        url = f"https://bsky.app/profile/{handle}/post/{rkey}" if handle else ""
        return FetchedPost(
            external_id=uri,
            text=text,
            author_handle=f"@{handle}" if handle else "",
            url=url,
            posted_at=parse_datetime(record.get("createdAt") or item.get("indexedAt")),
        )
