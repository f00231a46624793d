"""The case queues: mine, unassigned, life-safety, overdue, all of my schools.

A fixed number of queries per page, however many cases it lists (tested). Filter changes
come in by htmx and get the results partial; without JavaScript the same GET renders the page.

The page stays live: static/js/queue_live.js asks `case_list_live` every 15 seconds with the
fingerprint the page was drawn from (selectors.queue_state_for, one aggregate query). Nothing
changed: 204 and nothing else is read. Something changed: the queue partial and its tabs,
drawn exactly as the page draws them.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.permissions import Action
from cases.services.audit import case_previews_record
from workspace.forms import QueueFilterForm

from .. import selectors
from .common import is_htmx

PAGE_SIZE = 50
QUEUE_LABELS = {
    "mine": _("Mine"),
    "unassigned": _("Unassigned"),
    "life_safety": _("Life safety"),
    "overdue": _("Overdue"),
    "all": _("All open"),  # a status filter or search widens it
}
DEFAULT_QUEUE = "all"


def _page_guess(number) -> int:
    """The page the Paginator will most likely give for `?page=`: the number itself, or 1
    where it is not a whole number (Paginator.get_page's own fallback). Only a guess: a
    number past the last page (or below 1) is the last page, known once the cases are
    counted."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        return 1
    # Past any queue's end: the last page, read again once counted (and no OFFSET so large
    # the database refuses it).
    return number if 1 <= number <= _GUESSED_PAGES else 1


_GUESSED_PAGES = 100_000


def _queue_context(request, state: selectors.QueueState | None = None) -> dict:
    """Everything the queue partial draws: the page of cases, their previews (recorded as
    read) and the tabs, all from `state`'s counts. Without `state`, the counts are read
    with the page when the queue is shown unfiltered (one statement: selectors.
    queue_state_with_page), else on their own."""
    user = request.user
    queue = request.GET.get("queue", DEFAULT_QUEUE)
    if queue not in selectors.QUEUES:
        queue = DEFAULT_QUEUE
    menus = selectors.queue_menus_for(user=user)
    schools = menus.schools
    form = QueueFilterForm.kept(request.GET, schools=schools, staff=menus.staff)
    filters = form.filters()
    result, rows = selectors.queue_listing(user=user, queue=queue, filters=filters)
    paginator = Paginator(rows, PAGE_SIZE)
    unfiltered = filters == selectors.QueueFilters()
    if state is None:
        if unfiltered:
            start = (_page_guess(request.GET.get("page")) - 1) * PAGE_SIZE
            state = selectors.queue_state_with_page(
                user=user, rows=rows, start=start, stop=start + PAGE_SIZE
            )
        else:
            state = selectors.queue_state_for(user=user)
    if unfiltered:
        # The tab's count is this list's count (same definition, same query): no second COUNT,
        # and the heading can never disagree with the tab.
        paginator.count = state.counts[queue]
    page = paginator.get_page(request.GET.get("page"))
    schools_by_id = {school.id: school for school in schools}
    cases = [selectors.queue_row(values, schools_by_id) for values in page.object_list]
    page.object_list = cases
    reads = selectors.case_page_reads(user=user, cases=cases)
    if reads.previews:
        case_previews_record(
            case_ids=list(reads.previews), actor=user, now=reads.now, recent=reads.recently_read
        )
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("since", None)
    return {
        "queue": queue,
        "queue_label": QUEUE_LABELS[queue],
        "page": page,
        "cases": cases,
        "previews": reads.previews,
        "case_tags": reads.tags,
        "result": result,
        "form": form,
        "querystring": params.urlencode(),
        "search_limit": selectors.TEXT_SEARCH_LIMIT,
        # A status filter or a search reaches resolved and closed cases too.
        "widened": bool(filters.status or filters.query.strip()),
        "queues": [
            {"name": name, "label": label, "count": state.counts[name]}
            for name, label in QUEUE_LABELS.items()
        ],
        "schools": schools,
        "live": state,
        # How often an open queue asks whether anything changed (static/js/queue_live.js).
        "live_seconds": settings.QUEUE_LIVE_SECONDS,
    }


def _require_cases(user) -> None:
    if not permissions.school_ids_for(user, Action.VIEW_CASES):
        raise Http404


@never_cache
@login_required
@require_GET
def case_list(request):
    _require_cases(request.user)
    context = _queue_context(request)
    context["htmx"] = is_htmx(request)
    if context["htmx"]:
        context["tabs_out_of_band"] = True
        return render(request, "workspace/_case_queue.html", context)
    context["can_manage_partners"] = bool(
        permissions.school_ids_for(request.user, Action.MANAGE_SCHOOL)
    )
    return render(request, "workspace/case_list.html", context)


@never_cache
@login_required
@require_GET
def case_list_live(request):
    """The open queue's question "anything new?": 204 when the user's cases are as the page
    last drew them (`since`, the fingerprint it was given), else the queue partial and its
    tabs, for the same queue, filters and page."""
    _require_cases(request.user)
    state = selectors.queue_state_for(user=request.user)
    if request.GET.get("since") == state.fingerprint:
        return HttpResponse(status=204)
    context = _queue_context(request, state)
    context["tabs_out_of_band"] = True
    return render(request, "workspace/_case_queue.html", context)
