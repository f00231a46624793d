"""The case queues: mine, unassigned, life-safety, overdue, all of my schools.

A fixed number of queries per page, however many cases it lists (tested). Filter changes
come in by htmx and get the results partial; without JavaScript the same GET renders the page.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.models import School
from accounts.permissions import Action
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


@never_cache
@login_required
@require_GET
def case_list(request):
    user = request.user
    school_ids = permissions.school_ids_for(user, Action.VIEW_CASES)
    if not school_ids:
        raise Http404
    queue = request.GET.get("queue", DEFAULT_QUEUE)
    if queue not in selectors.QUEUES:
        queue = DEFAULT_QUEUE
    schools = list(School.objects.filter(id__in=school_ids).order_by("name"))
    form = QueueFilterForm(
        request.GET,
        schools=schools,
        staff=list(selectors.staff_assignable_in(user=user)),
    )
    filters = form.filters()
    result = selectors.case_queue(user=user, queue=queue, filters=filters)
    page = Paginator(result.cases, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "queue": queue,
        "queue_label": QUEUE_LABELS[queue],
        "page": page,
        "result": result,
        "form": form,
        "querystring": params.urlencode(),
        "search_limit": selectors.TEXT_SEARCH_LIMIT,
        "htmx": is_htmx(request),
        # A status filter or a search reaches resolved and closed cases too.
        "widened": bool(filters.status or filters.query.strip()),
    }
    if context["htmx"]:
        return render(request, "workspace/_case_queue.html", context)
    counts = selectors.queue_counts_for(user=user)
    context["queues"] = [
        {"name": name, "label": label, "count": counts[name]}
        for name, label in QUEUE_LABELS.items()
    ]
    context["schools"] = schools
    context["can_manage_partners"] = bool(permissions.school_ids_for(user, Action.MANAGE_SCHOOL))
    return render(request, "workspace/case_list.html", context)
