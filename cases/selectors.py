"""Reads of cases scoped to the user, through accounts.permissions.

Out-of-scope cases are indistinguishable from missing ones: getters raise Http404. Child
objects (messages, attachments, notes) are read through their case, never by id alone.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts import permissions
from accounts.permissions import Action
from cases.models import Case, CaseEvent, Priority


def cases_visible_to(*, user) -> QuerySet[Case]:
    """Cases the user may read: all of their counselor/admin schools; for principals, their
    school's life-safety cases and the cases escalated to them."""
    full = permissions.school_ids_for(user, Action.WORK_CASES)
    principal = permissions.principal_school_ids(user)
    scope = Q(school_id__in=full)
    if principal:
        escalated = CaseEvent.objects.filter(
            kind=CaseEvent.Kind.ESCALATED, data__to_user_id=user.id
        ).values("case_id")
        scope |= Q(school_id__in=principal) & (
            Q(priority=Priority.LIFE_SAFETY) | Q(id__in=escalated)
        )
    return Case.objects.filter(scope)


def case_get_for_user(*, user, case_id: int, action: Action = Action.VIEW_CASES) -> Case:
    """The case, if the user may perform `action` on it; 404 otherwise."""
    case = get_object_or_404(
        cases_visible_to(user=user).select_related("school", "assignee"), id=case_id
    )
    if action != Action.VIEW_CASES and not permissions.can(user, action, case.school_id):
        # Readable but not actionable (a principal): still a 404, as for outsiders.
        get_object_or_404(Case.objects.none(), id=case_id)
    return case
