"""Role-aware navigation for the staff templates (a context processor).

It sits in config, above every app, so it imports the badge counts it shows from the apps
that own them: nothing below learns about the navigation.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions
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


def _badge_counts(user, url_names: list[str]) -> dict[str, int]:
    """The badges' counts, kept in the cache for NAVIGATION_COUNT_SECONDS per user (one cache
    round trip instead of a COUNT per badge on every signed-in page; a badge may lag by that
    much, the pages it links to count for themselves). Without the cache, counted here."""
    seconds = getattr(settings, "NAVIGATION_COUNT_SECONDS", 0)
    keys = {name: f"nav-count:{user.pk}:{name}" for name in url_names}
    cached: dict = {}
    if seconds:
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


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_navigation": []}
    items, badges = [], []
    for url_name, label, action in STAFF_NAVIGATION:
        if action is not None and not permissions.school_ids_for(user, action):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
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
    return {"staff_navigation": items}
