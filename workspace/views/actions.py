"""Every action on a case: POST only, one form, one service call.

The case is fetched through its scoped getter first (404 outside the user's scope, and for
actions that need WORK_CASES, 404 for readers such as principals too). Forms carry the
Case.version the page showed; a stale one gets "someone else changed this case" and the
fresh case, never a silent overwrite. htmx swaps the workspace partial; plain POSTs redirect.
"""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import Action
from cases.models import Case, Channel, Outcome
from cases.selectors import case_get_for_user
from cases.services.merge import case_link, case_merge, case_unlink
from cases.services.workflow import (
    ERROR_STALE,
    CaseWorkflowError,
    StaleCaseError,
    case_acknowledge,
    case_assign,
    case_close,
    case_note_add,
    case_reopen,
    case_resolve,
    case_set_priority,
    case_set_tags,
    case_status_change,
    case_unwatch,
    case_watch,
)
from tipline.selectors import case_reporters
from tipline.services.tips import ReplyRefusedError, message_to_reporter
from workspace.forms import (
    AssignForm,
    CloseForm,
    NoteForm,
    PriorityForm,
    ReferenceForm,
    ReopenForm,
    ResolveForm,
    StatusForm,
    TagsForm,
)
from workspace.selectors import case_find_by_reference, staff_assignable_for

from ..forms import StaffReplyForm
from .case import redirect_or_render, render_case

ERROR_NO_SUCH_REFERENCE = _("No open case with that reference at a school where you work cases.")


class _Invalid(Exception):
    """A submitted form did not validate: re-render it (under `name`) with its errors."""

    def __init__(self, name: str, form):
        super().__init__(name)
        self.name, self.form = name, form


def _run(request, case_id: int, act: Callable[[Case], str], *, action=Action.WORK_CASES):
    case = case_get_for_user(user=request.user, case_id=case_id, action=action)
    try:
        notice = act(case)
    except StaleCaseError:
        fresh = case_get_for_user(user=request.user, case_id=case.id)
        return render_case(request, fresh, status=409, error=ERROR_STALE)
    except CaseWorkflowError as error:
        fresh = case_get_for_user(user=request.user, case_id=case.id)
        return render_case(request, fresh, status=400, error=" ".join(error.messages))
    except _Invalid as invalid:
        return render_case(
            request,
            case,
            status=400,
            bound={invalid.name: invalid.form},
            error=_("Check the form: something is missing."),
        )
    return redirect_or_render(request, case, notice)


def _valid(name: str, form):
    if not form.is_valid():
        raise _Invalid(name, form)
    return form.cleaned_data


def _post_view(act: Callable, *, action=Action.WORK_CASES):
    """A login-required POST view running `act(request, case) -> notice` through _run."""

    @login_required
    @require_POST
    def view(request, case_id: int):
        return _run(request, case_id, lambda case: act(request, case), action=action)

    view.__name__ = act.__name__
    view.__doc__ = act.__doc__
    return view


def _reply(request, case):
    data = _valid("reply_form", StaffReplyForm(request.POST, reporters=case_reporters(case=case)))
    reporter = data["reporter"]
    try:
        message_to_reporter(case=case, reporter=reporter, body=data["body"], author=request.user)
    except ReplyRefusedError as refused:
        raise CaseWorkflowError(refused.messages) from None
    if reporter.channel == Channel.SMS:
        # Queued, not sent: the timeline shows when Twilio takes it, delivers it or fails.
        return _("Your text to %(alias)s is on its way: the timeline shows its delivery.") % {
            "alias": reporter.alias
        }
    if reporter.channel == Channel.VOICE:
        return _(
            "Your message was saved: the caller hears it read aloud when they call back with "
            "their receipt code, or reads it on the web."
        )
    return _("Your message was sent to the tipster.")


def _status(request, case):
    data = _valid("status_form", StatusForm(request.POST, case=case))
    case_status_change(
        case=case, status=data["status"], actor=request.user, expected_version=data["version"]
    )
    return _("Status changed to %(status)s.") % {"status": case.get_status_display()}


def _resolve(request, case):
    data = _valid("resolve_form", ResolveForm(request.POST))
    case_resolve(
        case=case,
        outcome=data["outcome"],
        summary=data["summary"],
        actor=request.user,
        expected_version=data["version"],
    )
    if data["close"]:
        case_close(case=case, actor=request.user)
        return _("Case resolved (%(outcome)s) and closed.") % {
            "outcome": Outcome(data["outcome"]).label
        }
    return _("Case resolved: %(outcome)s.") % {"outcome": Outcome(data["outcome"]).label}


def _close(request, case):
    data = _valid("close_form", CloseForm(request.POST))
    case_close(case=case, actor=request.user, expected_version=data["version"])
    return _("Case closed.")


def _reopen(request, case):
    data = _valid("reopen_form", ReopenForm(request.POST))
    case_reopen(
        case=case, actor=request.user, reason=data["reason"], expected_version=data["version"]
    )
    return _("Case reopened.")


def _assign(request, case):
    form = AssignForm(request.POST, staff=staff_assignable_for(school=case.school))
    data = _valid("assign_form", form)
    case_assign(
        case=case, assignee=data["assignee"], actor=request.user, expected_version=data["version"]
    )
    if data["assignee"] is None:
        return _("Case unassigned.")
    name = data["assignee"].get_full_name() or data["assignee"].email
    return _("Case assigned to %(name)s.") % {"name": name}


def _priority(request, case):
    data = _valid("priority_form", PriorityForm(request.POST))
    case_set_priority(
        case=case,
        priority=data["priority"],
        reason=data["reason"],
        actor=request.user,
        expected_version=data["version"],
    )
    return _("Priority changed to %(priority)s.") % {"priority": case.get_priority_display()}


def _tags(request, case):
    data = _valid("tags_form", TagsForm(request.POST))
    case_set_tags(
        case=case,
        categories=data["categories"],
        actor=request.user,
        expected_version=data["version"],
    )
    return _("Tags saved.")


def _note(request, case):
    data = _valid("note_form", NoteForm(request.POST))
    case_note_add(case=case, actor=request.user, body=data["body"])
    return _("Internal note added.")


def _acknowledge(request, case):
    """One click: the signed-in reader takes the life-safety case in hand (recorded)."""
    first = case_acknowledge(case=case, actor=request.user)
    has_it = case.assignee_id == request.user.id
    if first and has_it:
        return _("Acknowledged. The call-down stops; the case is assigned to you.")
    if first:
        return _("Acknowledged. The call-down stops.")
    return _("Someone had already acknowledged this case; your click was recorded too.")


def _watch(request, case):
    case_watch(case=case, user=request.user)
    return _("You are watching this case.")


def _unwatch(request, case):
    case_unwatch(case=case, user=request.user)
    return _("You stopped watching this case.")


def _other_case(request, case, prefix: str):
    form = ReferenceForm(request.POST, prefix=prefix)
    data = _valid(f"{prefix}_form", form)
    other = case_find_by_reference(user=request.user, reference=data["reference"])
    if other is None or other.id == case.id:
        form.add_error("reference", ERROR_NO_SUCH_REFERENCE)
        raise _Invalid(f"{prefix}_form", form)
    return other, data["version"]


def _merge(request, case):
    """Merge the case with the given reference into this one (this one survives)."""
    duplicate, version = _other_case(request, case, "merge")
    case_merge(duplicate=duplicate, survivor=case, actor=request.user, survivor_version=version)
    return _("Case %(ref)s was merged into this case and closed as a duplicate.") % {
        "ref": duplicate.reference
    }


def _link(request, case):
    other, _version = _other_case(request, case, "link")
    if request.POST.get("unlink"):
        case_unlink(case=case, other=other, actor=request.user)
        return _("Unlinked from case %(ref)s.") % {"ref": other.reference}
    case_link(case=case, other=other, actor=request.user)
    return _("Linked to case %(ref)s.") % {"ref": other.reference}


case_reply = _post_view(_reply)
case_status = _post_view(_status)
case_resolve_view = _post_view(_resolve)
case_close_view = _post_view(_close)
case_reopen_view = _post_view(_reopen)
case_assign_view = _post_view(_assign)
case_priority = _post_view(_priority)
case_tags = _post_view(_tags)
case_note = _post_view(_note)
case_merge_view = _post_view(_merge)
case_link_view = _post_view(_link)
# Reading is enough: on-call lists hold principals, and anyone may follow what they read.
case_acknowledge_view = _post_view(_acknowledge, action=Action.VIEW_CASES)
case_watch_view = _post_view(_watch, action=Action.VIEW_CASES)
case_unwatch_view = _post_view(_unwatch, action=Action.VIEW_CASES)
