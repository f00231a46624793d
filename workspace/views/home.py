"""The page after sign-in: the person's work, not a welcome.

Overdue and life-safety cases first, then the cases assigned to them; a principal sees the
cases of their school they may read (life-safety and escalated to them); a district admin
also gets each school's open, life-safety, overdue and unassigned counts. Previews of the
listed cases are shown and recorded as reads exactly as in the queue.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.permissions import Action
from cases.services.audit import case_previews_record

from .. import selectors


@never_cache
@login_required
@require_GET
def my_work(request):
    user = request.user
    context = {"attention": [], "mine": [], "previews": {}, "case_tags": {}, "overview": []}
    if permissions.school_ids_for(user, Action.VIEW_CASES):
        state = selectors.queue_state_for(user=user)
        attention, mine = selectors.home_lists(user=user)
        reads = selectors.case_page_reads(user=user, cases=attention + mine)
        if reads.previews:
            case_previews_record(
                case_ids=list(reads.previews), actor=user, now=reads.now, recent=reads.recently_read
            )
        context.update(
            attention=attention,
            mine=mine,
            previews=reads.previews,
            case_tags=reads.tags,
            counts=state.counts,
            works_cases=bool(permissions.school_ids_for(user, Action.WORK_CASES)),
        )
    context["overview"] = selectors.district_overview_for(user=user)
    context["summary_schools"] = bool(permissions.school_ids_for(user, Action.VIEW_SUMMARY))
    return render(request, "workspace/home.html", context)
