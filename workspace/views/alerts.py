"""The alert feed for counselors and district admins, and the sources page.

Thin: parse, call a selector or a service, render. Every action answers htmx with the
re-rendered card (or list) and a plain POST with a redirect back to the feed.
"""

import csv
import io
import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import auth_cache, permissions
from accounts.permissions import Action
from alerts import selectors, services
from alerts.models import DismissalReason
from cases.selectors import case_get_for_user
from scoring import default_scorer
from workspace.alert_forms import DismissForm, feed_filters

PAGE_SIZE = 50
logger = logging.getLogger(__name__)


def _require_triage(user) -> None:
    if not permissions.school_ids_for(user, Action.TRIAGE_ALERTS):
        raise PermissionDenied


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _feed_page(user, filters, requested) -> Page:
    """The requested page of the feed (the first for anything that is not a number, the last
    past the end, as Paginator.get_page), its cards and the total read in one query."""
    try:
        number = max(1, int(requested))
    except (TypeError, ValueError):
        number = 1
    cards, total = selectors.alerts_feed_page(
        user=user, filters=filters, offset=(number - 1) * PAGE_SIZE, size=PAGE_SIZE
    )
    if not cards and number > 1:  # past the end: the last page, as Paginator.get_page does
        total = selectors.alerts_feed(user=user, filters=filters).count()
        number = max(1, -(-total // PAGE_SIZE))
        cards, total = selectors.alerts_feed_page(
            user=user, filters=filters, offset=(number - 1) * PAGE_SIZE, size=PAGE_SIZE
        )
    paginator = Paginator((), PAGE_SIZE)
    paginator.count = total  # known from the page's own query (a cached_property)
    return Page(cards, number, paginator)


def _feed_context(request, data, *, precision: bool = False) -> dict:
    user = request.user
    (schools, sources), figures = _kept(user, precision=precision)
    filters, controls = feed_filters(data, schools=schools, sources=sources)
    context = {
        "filter_controls": controls,
        "page": _feed_page(user, filters, data.get("page")),
        "reasons": DismissalReason.choices,
        "querystring": data.urlencode(),
    }
    if precision:
        context["precision_by_source"], context["precision_by_category"] = figures
    return context


@login_required
@require_GET
def feed(request):
    _require_triage(request.user)
    if _is_htmx(request):
        context = _feed_context(request, request.GET)
        return render(request, "workspace/alerts/_alert_list.html", context)
    context = _feed_context(request, request.GET, precision=True)
    context["perms_manage_sources"] = bool(
        permissions.school_ids_for(request.user, Action.MANAGE_SCHOOL)
    )
    return render(request, "workspace/alerts/feed.html", context)


# What the feed shows beside its cards, holding no post text, is kept this long per user and
# for the schools the user triages now (a changed role recomputes it on the next page): the
# precision tables, which scan every reviewed alert in scope (a minute-old figure is as good),
# and the filters' schools and sources (a renamed school or a new source shows within it).
FEED_KEPT_SECONDS = 60


def _kept_keys(user_id) -> dict[str, str]:
    return {"choices": f"feed-filters:{user_id}", "precision": f"feed-precision:{user_id}"}


# Both are read in the signed-in user's cache round trip (accounts/auth_cache.py), not in one
# of their own.
auth_cache.prefetch_also("alert-feed", lambda user_id: list(_kept_keys(user_id).values()))


def _kept(user, *, precision: bool) -> tuple[tuple[list, list], tuple[list, list] | None]:
    """((schools, sources) for the filters, (by source, by category) precision or None), read
    with the signed-in user when the middleware did (a key it lacks was not in the cache
    either), else in one round trip of their own; what is missing or was kept for another
    scope is read again."""
    scope = sorted(permissions.school_ids_for(user, Action.TRIAGE_ALERTS))
    keys = _kept_keys(user.pk)
    if not precision:
        del keys["precision"]
    found = getattr(user, auth_cache.PREFETCHED_ATTRIBUTE, None)
    if found is None:
        try:
            found = cache.get_many(list(keys.values()))
        except Exception:  # no cache: read, as without one
            found = {}
    readers = {
        "choices": lambda: selectors.feed_filter_choices(user=user),
        "precision": lambda: (
            selectors.alert_precision_by_source(user=user),
            selectors.alert_precision_by_category(user=user),
        ),
    }
    values, fresh = {}, {}
    for name, key in keys.items():
        entry = found.get(key)
        if entry is not None and entry[0] == scope:
            values[name] = entry[1]
        else:
            values[name] = readers[name]()
            fresh[key] = (scope, values[name])
    if fresh:
        try:
            cache.set_many(fresh, FEED_KEPT_SECONDS)
        except Exception:
            logger.warning("alert feed: cache unavailable, filters and precision not kept")
    return values["choices"], values.get("precision")


def _card(request, alert, *, error: str = ""):
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect("alerts:feed")
    return render(
        request,
        "workspace/alerts/_alert_card.html",
        {"alert": alert, "reasons": DismissalReason.choices, "error": error},
    )


@login_required
@require_POST
def alert_dismiss(request, alert_id: int):
    alert = selectors.alert_get_for_user(user=request.user, alert_id=alert_id)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _card(request, alert, error=_("Choose why the alert is dismissed."))
    try:
        services.alert_dismiss(alert=alert, reason=form.cleaned_data["reason"], actor=request.user)
    except services.AlertAlreadyReviewed as exc:
        alert.refresh_from_db()
        return _card(request, alert, error=str(exc))
    return _card(request, alert)


@login_required
@require_http_methods(["GET", "POST"])
def alert_escalate(request, alert_id: int):
    """GET: the escalation choices (new case, or a case to attach to). POST: open the case."""
    alert = selectors.alert_get_for_user(user=request.user, alert_id=alert_id)
    if request.method == "GET":
        cases = selectors.cases_attachable_for(user=request.user, alert=alert)
        return render(
            request, "workspace/alerts/_escalate_panel.html", {"alert": alert, "cases": cases}
        )
    if not permissions.can(request.user, Action.WORK_CASES, alert.school_id):
        raise PermissionDenied
    try:
        services.alert_escalate(alert=alert, actor=request.user)
    except services.AlertAlreadyReviewed as exc:
        alert.refresh_from_db()
        return _card(request, alert, error=str(exc))
    return _card(request, alert)


@login_required
@require_POST
def alert_attach(request, alert_id: int):
    alert = selectors.alert_get_for_user(user=request.user, alert_id=alert_id)
    case_id = request.POST.get("case")
    if not (case_id or "").isdigit():
        return _card(request, alert, error=_("Choose a case."))
    case = case_get_for_user(user=request.user, case_id=int(case_id), action=Action.WORK_CASES)
    try:
        services.alert_attach(alert=alert, case=case, actor=request.user)
    except services.AlertAlreadyReviewed as exc:
        alert.refresh_from_db()
        return _card(request, alert, error=str(exc))
    return _card(request, alert)


@login_required
@require_POST
def alerts_bulk_dismiss(request):
    _require_triage(request.user)
    form = DismissForm(request.POST)
    ids = [int(value) for value in request.POST.getlist("alert_ids") if value.isdigit()]
    if form.is_valid() and ids:
        count = services.alerts_bulk_dismiss(
            alerts=selectors.alerts_visible_to(user=request.user).filter(id__in=ids),
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        messages.success(request, _("%(count)d alerts dismissed.") % {"count": count})
    else:
        messages.error(request, _("Select alerts and a reason to dismiss them."))
    if not _is_htmx(request):
        return redirect("alerts:feed")
    context = _feed_context(request, request.POST)
    context["show_messages"] = True
    return render(request, "workspace/alerts/_alert_list.html", context)


@login_required
@require_GET
def sources(request):
    if not permissions.school_ids_for(request.user, Action.MANAGE_SCHOOL):
        raise PermissionDenied
    return render(
        request,
        "workspace/alerts/sources.html",
        {
            "sources": selectors.sources_managed_by(user=request.user),
            "model_version": default_scorer().model_version,
        },
    )


@login_required
@require_GET
def alert_detail(request, alert_id: int):
    """One card on its own (the htmx 'cancel' of the escalation panel re-renders it)."""
    return _card(request, selectors.alert_get_for_user(user=request.user, alert_id=alert_id))


@login_required
@require_GET
def triage_export(request):
    """The district's triage decisions as labelled rows (?format=jsonl|csv), for
    re-training the scorer; district admins only, and every export is recorded."""
    if not permissions.school_ids_for(request.user, Action.MANAGE_SCHOOL):
        raise PermissionDenied
    export_format = request.GET.get("format", "jsonl")
    if export_format not in services.EXPORT_FORMATS:
        export_format = "jsonl"
    rows = services.triage_export_record(
        alerts=selectors.triage_labels_for(user=request.user),
        actor=request.user,
        export_format=export_format,
    )
    if export_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=services.EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
        body, content_type = buffer.getvalue(), "text/csv; charset=utf-8"
    else:
        body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        content_type = "application/x-ndjson; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="triage-{stamp}.{export_format}"'
    return response
