"""The partner's pages: a case shared with a partner agency, behind a link and a one-time code.

No staff login. `/partner/<token>/` opens the share the link names (cases.services.shares):
unknown, expired and revoked links all get the same "this link does not work" page. Until
the partner proves they hold the registered email or phone (a one-time code sent there),
the page shows nothing of the case. Then the session remembers that share, and that link, for
at most SESSION_HOURS; every request asks the database again whether the share is still
active, so a revocation or the expiry ends an open session at once, and a new link (a new
share) needs a new code.

What the partner sees is that case only, redacted as the sharer chose: the school, the
reference, category, priority, status, the tips (without the reporter's contact details or
alias), the messages with the tipster only if chosen (without names), the files only if
chosen, and the notes this share added. Every page that shows any of it, and every file, is
written to the case's trail (cases.services.audit.partner_view_record).

Every answer: never cached, not indexed, no referrer, nothing from third parties (strict
CSP, no scripts of its own).
"""

from __future__ import annotations

import functools
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases.services.audit import partner_view_record
from cases.services.shares import (
    CODE_MINUTES,
    CodeSent,
    partner_note_add,
    share_code_check,
    share_code_send,
    share_for_token,
    share_is_active,
)
from cases.services.workflow import CaseWorkflowError
from tipline.attachments import attachment_read
from workspace.partner_forms import PartnerCodeForm, PartnerNoteForm

SESSION_KEY = "partner_access"
SESSION_HOURS = 12

CODE_MESSAGES = {
    CodeSent.SENT: gettext_lazy(
        "A code is on its way to your registered %(where)s. It works for %(minutes)s minutes."
    ),
    CodeSent.TOO_SOON: gettext_lazy(
        "A code was sent less than a minute ago: use that one, or ask again in a minute."
    ),
    CodeSent.EXHAUSTED: gettext_lazy(
        "No more codes can be sent for this link. Ask the school to share the case again."
    ),
    CodeSent.FAILED: gettext_lazy("The code could not be sent. Try again in a moment."),
}
ERROR_CODE = gettext_lazy(
    "That code is not right, or it has expired. Check it, or ask for a new code."
)


def _protected(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
    return response


def _ended(request) -> HttpResponse:
    response = render(request, "workspace/partner/ended.html", status=404)
    return _protected(response)


def partner_page(view):
    """Finds the active share the link names (or answers the one "link does not work" page)
    and protects the answer; the view gets the share."""

    @never_cache
    @functools.wraps(view)
    def wrapped(request, token: str, **kwargs):
        share = share_for_token(token)
        if share is None:
            return _ended(request)
        return _protected(view(request, share, **kwargs))

    return wrapped


def _verified(request, share) -> bool:
    """Whether this session proved the code for this share and this link, not too long ago,
    and the share is still active (asked of the database each time)."""
    access = request.session.get(SESSION_KEY, {}).get(str(share.id))
    if not access or access.get("link") != share.token_digest:
        return False
    until = parse_datetime(access.get("until", ""))
    if until is None or timezone.now() >= until:
        return False
    return share_is_active(share_id=share.id, token_digest=share.token_digest)


def _require_verified(request, share) -> None:
    if not _verified(request, share):
        raise Http404


def _code_page(request, share, *, form=None, status=200):
    context = {
        "share": share,
        "form": form or PartnerCodeForm(),
        "via_email": bool(share.contact.email),
        "code_minutes": CODE_MINUTES,
    }
    return render(request, "workspace/partner/code.html", context, status=status)


def _case_context(share, note_form=None) -> dict:
    case = share.case
    tips = list(case.tips.prefetch_related("attachments").order_by("received_at", "id"))
    context = {
        "share": share,
        "case": case,
        "tips": tips,
        "notes": list(share.notes.order_by("created_at", "id")),
        "note_form": note_form or PartnerNoteForm(),
    }
    if share.with_messages:
        context["messages_shown"] = list(
            case.messages.prefetch_related("attachments").order_by("created_at", "id")
        )
    return context


@partner_page
@require_GET
def partner_open(request, share):
    if not _verified(request, share):
        return _code_page(request, share)
    partner_view_record(share=share)
    return render(request, "workspace/partner/case.html", _case_context(share))


@partner_page
@require_POST
def partner_code_send(request, share):
    result = share_code_send(share=share)
    where = _("email") if share.contact.email else _("phone")
    text = CODE_MESSAGES[result] % {"where": where, "minutes": CODE_MINUTES}
    (messages.success if result is CodeSent.SENT else messages.warning)(request, text)
    return redirect("partner:open", token=request.resolver_match.kwargs["token"])


@partner_page
@require_POST
def partner_verify(request, share):
    form = PartnerCodeForm(request.POST)
    if not form.is_valid() or not share_code_check(share=share, code=form.cleaned_data["code"]):
        form = PartnerCodeForm(request.POST)
        form.is_valid()
        form.add_error("code", ERROR_CODE)
        return _code_page(request, share, form=form, status=400)
    # A new session key: whatever was in the old one (a fixated id) proves nothing.
    request.session.cycle_key()
    access = request.session.get(SESSION_KEY, {})
    until = min(share.expires_at, timezone.now() + timedelta(hours=SESSION_HOURS))
    access[str(share.id)] = {"link": share.token_digest, "until": until.isoformat()}
    request.session[SESSION_KEY] = access
    return redirect("partner:open", token=request.resolver_match.kwargs["token"])


@partner_page
@require_POST
def partner_note(request, share):
    _require_verified(request, share)
    form = PartnerNoteForm(request.POST)
    if form.is_valid():
        try:
            partner_note_add(share=share, body=form.cleaned_data["body"])
        except CaseWorkflowError as error:
            form.add_error("body", " ".join(error.messages))
        else:
            messages.success(request, _("Your note was added to the case. The school sees it."))
            return redirect("partner:open", token=request.resolver_match.kwargs["token"])
    partner_view_record(share=share)
    context = _case_context(share, note_form=form)
    return render(request, "workspace/partner/case.html", context, status=400)


@partner_page
@require_GET
def partner_file(request, share, attachment_id: int):
    _require_verified(request, share)
    if not share.with_attachments or share.case.purged_at is not None:
        raise Http404
    files = share.case.attachments.all()
    if not share.with_messages:
        files = files.filter(message__isnull=True)
    attachment = get_object_or_404(files, id=attachment_id)
    data = attachment_read(attachment)
    partner_view_record(share=share, what="attachment", attachment_id=attachment.id)
    extension = attachment.storage_name.split(".")[1]
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="case-{share.case.reference}-{attachment.id}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
