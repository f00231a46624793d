"""Role-aware navigation for the staff templates (a context processor).

It sits in config, above every app, so it imports the badge counts it shows from the apps
that own them: nothing below learns about the navigation.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.permissions import Action
from alerts.selectors import alerts_new_count_for
from workspace.selectors import cases_attention_count_for

# (url name, label, action the user must hold at one school at least, or None for any staff).
# Entries whose page is not installed are skipped.
STAFF_NAVIGATION = (
    ("accounts:home", _("Home"), None),
    ("tipline:case_list", _("Cases"), Action.VIEW_CASES),
    ("alerts:feed", _("Alerts"), Action.TRIAGE_ALERTS),
    ("summaries:home", _("Summaries"), Action.VIEW_SUMMARY),
    ("district:home", _("District"), Action.VIEW_SCHOOL_SETTINGS),
)


# Badges: url name -> a `count(*, user) -> int` with the badge's accessible label. Only called
# when the item is shown, i.e. when the user holds the item's action somewhere.
STAFF_NAVIGATION_COUNTS = {
    "alerts:feed": (alerts_new_count_for, _("new alerts")),
    "tipline:case_list": (cases_attention_count_for, _("open cases unassigned or life-safety")),
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_navigation": []}
    items = []
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
            "active": request.path.startswith(url) if url != "/" else request.path == url,
            "name": url_name,
        }
        if url_name in STAFF_NAVIGATION_COUNTS:
            counter, count_label = STAFF_NAVIGATION_COUNTS[url_name]
            item["count"] = counter(user=user)
            item["count_label"] = count_label
        items.append(item)
    return {"staff_navigation": items}
