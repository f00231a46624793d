"""Sharing a case with a partner agency's contact, and revoking it: two case actions.

The share is stored (cases.services.shares) and its link sent at once, in this request, to
the contact's registered email or phone: the sharer learns here whether it went out. The
link's secret is never stored, so a link that did not go out cannot be sent again: revoke
that share and share again.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cases.services.shares import (
    case_share_create,
    case_share_revoke,
    partner_contacts_for_case,
    share_link_send,
)
from cases.services.workflow import CaseWorkflowError
from workspace.partner_forms import ShareForm

from .actions import _post_view, _valid


def _share(request, case):
    form = ShareForm(request.POST, contacts=partner_contacts_for_case(case=case))
    data = _valid("share_form", form)
    new = case_share_create(
        case=case,
        contact=data["contact"],
        actor=request.user,
        with_attachments=data["with_attachments"],
        with_messages=data["with_messages"],
        hours=data["hours"],
    )
    contact = new.share.contact
    if not share_link_send(new=new):
        raise CaseWorkflowError(
            _(
                "The case is shared, but the link to %(name)s could not be sent. Revoke this "
                "share and share again."
            )
            % {"name": contact.name}
        )
    return _("Shared with %(agency)s: the link went to %(name)s.") % {
        "agency": contact.agency.name,
        "name": contact.name,
    }


def _share_revoke(request, case):
    share = get_object_or_404(case.shares, id=request.resolver_match.kwargs["share_id"])
    if not case_share_revoke(share=share, actor=request.user):
        raise CaseWorkflowError(_("That share had already ended."))
    return _("%(agency)s can no longer open the case.") % {"agency": share.contact.agency.name}


case_share_view = _post_view(_share)
_revoke = _post_view(_share_revoke)


def case_share_revoke_view(request, case_id: int, share_id: int):
    return _revoke(request, case_id)
