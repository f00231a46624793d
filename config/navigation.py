"""Role-aware navigation for the staff templates (a context processor).

It sits in config, above every app, so it imports the badge counts it shows from the apps
that own them: nothing below learns about the navigation.
"""

import functools
import logging

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts import auth_cache, permissions
from accounts.kept import Kept
from accounts.permissions import Action
from alerts.selectors import alerts_new_count_for
from workspace.selectors import cases_attention_count_for

# (url name, label, action the user must hold at one school at least, or None for any staff).
# Entries whose page is not installed are skipped.
STAFF_NAVIGATION = (
    ("tipline:home", _("Home"), None),
    ("tipline:case_list", _("Cases"), Action.VIEW_CASES),
    ("alerts:feed", _("Alerts"), Action.TRIAGE_ALERTS),
    ("summaries:home", _("Summaries"), Action.VIEW_SUMMARY),
    ("district:home", _("District"), Action.VIEW_SCHOOL_SETTINGS),
)


EXACT_MATCH = ("tipline:home",)

# Badges: url name -> a `count(*, user) -> int` with the badge's accessible label. Only called
# when the item is shown, i.e. when the user holds the item's action somewhere.
STAFF_NAVIGATION_COUNTS = {
    "alerts:feed": (alerts_new_count_for, _("new alerts")),
    "tipline:case_list": (cases_attention_count_for, _("open cases unassigned or life-safety")),
}


logger = logging.getLogger(__name__)


def _badge_key(user_id, url_name: str) -> str:
    return f"nav-count:{user_id}:{url_name}"


# The badges' kept counts are read in the same cache round trip as the signed-in user
# (accounts/auth_cache.py), not in one of their own.
auth_cache.prefetch_also(
    "navigation", lambda user_id: [_badge_key(user_id, name) for name in STAFF_NAVIGATION_COUNTS]
)


def _badge_counts(user, url_names: list[str]) -> dict[str, int]:
    """The badges' counts, kept in the cache for NAVIGATION_COUNT_SECONDS per user (no COUNT
    per badge on every signed-in page; a badge may lag by that much, the pages it links to
    count for themselves), read with the signed-in user when the middleware did, else in a
    round trip of their own. Without the cache, counted here."""
    seconds = getattr(settings, "NAVIGATION_COUNT_SECONDS", 0)
    keys = {name: _badge_key(user.pk, name) for name in url_names}
    cached: dict = {}
    prefetched = getattr(user, auth_cache.PREFETCHED_ATTRIBUTE, None)
    if seconds and prefetched is not None:
        cached = prefetched  # a key it lacks was not in the cache either
    elif seconds:
        try:
            cached = cache.get_many(list(keys.values()))
        except Exception:  # a cache outage must not take the staff pages with it
            logger.warning("navigation counts: cache unavailable, counting in the database")
    counts, fresh = {}, {}
    for name, key in keys.items():
        if key in cached:
            counts[name] = cached[key]
        else:
            counter, _label = STAFF_NAVIGATION_COUNTS[name]
            counts[name] = fresh[key] = counter(user=user)
    if seconds and fresh:
        try:
            cache.set_many(fresh, seconds)
        except Exception:
            logger.warning("navigation counts: cache unavailable, not kept")
    return counts


@functools.lru_cache(maxsize=64)
def _address(url_name: str, urlconf, script_prefix: str) -> str | None:
    """reverse(url_name), None when the page is not installed; remembered per URLconf and
    script prefix (seven reverses on every signed-in page otherwise)."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _url(url_name: str) -> str | None:
    return _address(url_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def _items(request, user) -> list[dict]:
    items, badges = [], []
    for url_name, label, action in STAFF_NAVIGATION:
        if action is not None and not permissions.school_ids_for(user, action):
            continue
        url = _url(url_name)
        if url is None:
            continue
        item = {
            "url": url,
            "label": label,
            # Home (/staff/) is a prefix of the case pages: it is active on itself only.
            "active": request.path == url
            if url_name in EXACT_MATCH or url == "/"
            else request.path.startswith(url),
            "name": url_name,
        }
        if url_name in STAFF_NAVIGATION_COUNTS:
            item["count_label"] = STAFF_NAVIGATION_COUNTS[url_name][1]
            badges.append(item)
        items.append(item)
    if badges:
        counts = _badge_counts(user, [item["name"] for item in badges])
        for item in badges:
            item["count"] = counts[item["name"]]
    return items


class StaffHeader:
    """The signed-in half of base.html's header (the toggler, the navigation with its badges,
    the account link, the sign-out form), drawn in Python on first use: as a template it was
    most of what a signed-in page renders beyond an anonymous one (bench/queue_pages.py).
    Every text is escaped where it is placed. Nothing is computed for a template that does
    not show it (an htmx fragment)."""

    def __init__(self, request, user, token=None):
        self._request, self._user, self._html = request, user, None
        # The page's CSRF token (navigation() shares one with the page), else a new one.
        self._token = token

    @cached_property
    def items(self) -> list[dict]:
        return _items(self._request, self._user)

    def __html__(self) -> str:
        if self._html is None:
            self._html = self._draw()
        return self._html

    def __str__(self) -> str:
        return self.__html__()

    def _draw(self) -> str:
        """The header's markup: kept per process, without its CSRF token, for the same
        language, name and navigation (addresses, the active item, the badges' counts), so
        a page draws it by joining three strings. The token is masked anew for every
        response (Django's get_token) and never kept."""
        user = self._user
        name = user.get_full_name() or user.email
        key = (
            get_language(),
            name,
            _url("accounts:home"),
            _url("accounts:logout"),
            tuple(
                (item["name"], item["url"], item["active"], item.get("count"))
                for item in self.items
            ),
        )
        before, after = _DRAWN.keep(key, lambda: self._parts(name))
        token = escape(str(self._token or get_token(self._request)))
        return mark_safe(before + token + after)  # noqa: S308 - escaped in _parts and here

    def _parts(self, name: str) -> tuple[str, str]:
        """The markup before and after the CSRF token's value, every text escaped."""
        links = []
        for item in self.items:
            active = item["active"]
            badge = ""
            if item.get("count"):
                count = item["count"]
                badge = (
                    f' <span class="badge text-bg-light" aria-label="{count} '
                    f'{escape(str(item["count_label"]))}">{count}</span>'
                )
            links.append(
                '\n            <li class="nav-item">\n              <a class="nav-link'
                + (" active" if active else "")
                + f'" href="{escape(item["url"])}"'
                + (' aria-current="page"' if active else "")
                + f">{escape(str(item['label']))}{badge}</a>\n            </li>"
            )
        before = (
            '<button class="navbar-toggler" type="button" data-bs-toggle="collapse" '
            'data-bs-target="#staff-nav"\n                aria-controls="staff-nav" '
            f'aria-expanded="false" aria-label="{escape(gettext("Toggle navigation"))}">\n'
            '          <span class="navbar-toggler-icon"></span>\n        </button>\n'
            '        <div class="collapse navbar-collapse" id="staff-nav">\n'
            '          <ul class="navbar-nav me-auto">' + "".join(links) + "\n          </ul>\n"
            f'          <a class="navbar-text me-3" href="{escape(_url("accounts:home"))}" '
            f'title="{escape(gettext("Your account"))}">'
            f"{escape(name)}</a>\n"
            f'          <form method="post" action="{escape(_url("accounts:logout"))}" '
            'class="d-inline">\n'
            '            <input type="hidden" name="csrfmiddlewaretoken" value="'
        )
        after = (
            '">\n'
            '            <button type="submit" class="btn btn-outline-light btn-sm">'
            f"{escape(gettext('Sign out'))}</button>\n          </form>\n        </div>"
        )
        return before, after


# StaffHeader's markup around the CSRF token, per language, name and navigation.
_DRAWN: Kept = Kept(1024)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_navigation": [], "staff_header": ""}
    # One masked CSRF token for the page and its header's sign-out form (Django's own
    # `csrf_token` would mask the secret a second time): in place of Django's, computed only
    # if used. Any masking of the session's secret is accepted; each response gets a new one.
    token = SimpleLazyObject(lambda: get_token(request))
    header = StaffHeader(request, user, token)
    # `staff_navigation` (the items) for templates that list them; computed only if used.
    return {
        "staff_navigation": SimpleLazyObject(lambda: header.items),
        "staff_header": header,
        "csrf_token": token,
    }
