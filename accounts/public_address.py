"""The site's public address: where links in emails and texts point, and the address Twilio
signs its webhooks for.

In production it is PUBLIC_BASE_URL and nothing else. Request headers (Host,
X-Forwarded-Host, X-Forwarded-Proto) never change it, so a forged header can neither move a
link in a staff email nor help forge a webhook signature.

In development the address follows the server actually answering: `ServedAddressMiddleware`,
which only `config.settings.dev` installs and which does nothing unless DEBUG is on, keeps the
address of the request being answered (scheme and Host, checked against ALLOWED_HOSTS) for
the length of that request. So `make run PORT=8001`, `runserver 0.0.0.0:8001` or a browser on
localhost instead of 127.0.0.1 need no setting changed: the emails a request sends (Celery
runs in-process there) link to where the browser is, and `sms_simulate --url` is accepted
when it signs for the address it posts to. Outside a request, PUBLIC_BASE_URL again (which
`make run` sets to the served address too).
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_served_base_url: ContextVar[str | None] = ContextVar("served_base_url", default=None)


def public_base_url() -> str:
    """The address links start with, without a trailing slash."""
    return _served_base_url.get() or settings.PUBLIC_BASE_URL


def public_url(path: str) -> str:
    """An absolute link to `path` (which starts with /), e.g. public_url(reverse(...))."""
    return public_base_url() + path


def webhook_base_urls() -> list[str]:
    """The addresses a Twilio signature may have been made for: PUBLIC_BASE_URL, the address
    Twilio is told to call; in development also the address this request came in on."""
    served = _served_base_url.get()
    extra = [served] if served and served != settings.PUBLIC_BASE_URL else []
    return [settings.PUBLIC_BASE_URL, *extra]


class ServedAddressMiddleware:
    """Development only (config.settings.dev): the public address follows the request's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.DEBUG:
            return self.get_response(request)
        token = _served_base_url.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _served_base_url.reset(token)
