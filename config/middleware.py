"""Response headers that Django's SecurityMiddleware does not set.

Permissions-Policy: the tip line never needs the camera, the microphone or the location of a
tipster's device, so every page denies them to itself and to anything it could embed (a
student's location is exactly what must never leak). Content-Security-Policy comes from
django-csp (settings: CONTENT_SECURITY_POLICY). API answers are never cached (below).
"""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from tipline.upload_handlers import MAX_REQUEST_BYTES

DEFAULT_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response


API_PREFIX = "/api/"


class ApiNoStoreMiddleware:
    """Every /api/ answer may carry decrypted tip text (or says whether a case exists), so
    none may be kept by a browser, a proxy or a shared cache: the same never-cache headers
    the staff pages send (`Cache-Control: max-age=0, no-cache, no-store, must-revalidate,
    private`), on successes and errors alike."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            add_never_cache_headers(response)
        return response


NUL_REFUSED = "The request contains NUL characters, which no form or webhook here accepts."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseNulCharactersMiddleware:
    """Answer 400 to any request whose path, query string or form fields carry a NUL
    character.

    No text here ever contains one, PostgreSQL text columns refuse them (a query filtering on
    one fails with DataError, a 500), and they are a classic way past naive validation.
    Refusing them once, here, keeps every view and lookup from meeting one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if any("\x00" in key or "\x00" in value for key, value in _flat(request.GET)):
            return True
        # JSON bodies are left to the API, which refuses a NUL per item with a field error
        # (a batch keeps its good items) in its own error shape.
        if request.method == "POST" and (request.content_type or "") in FORM_TYPES:
            return any("\x00" in key or "\x00" in value for key, value in _flat(request.POST))
        return False


def _flat(querydict):
    for key, values in querydict.lists():
        for value in values:
            yield key, value


class RefuseOversizedRequestsMiddleware:
    """Answer 413, with a page a student understands, to a request that declares a body larger
    than any form here accepts (tipline.upload_handlers.MAX_REQUEST_BYTES), before anything
    reads the body: nothing of it reaches memory or disk.

    It runs before the first middleware that reads form data, and so before LocaleMiddleware:
    the page's language is picked here the way LocaleMiddleware would pick it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > MAX_REQUEST_BYTES:
            with translation.override(translation.get_language_from_request(request)):
                return render(request, "tipline/upload_too_large.html", status=413)
        return self.get_response(request)
