"""/accounts/tokens/: staff create and revoke their personal API tokens.

A new token is shown once, in the response to the POST that made it (never stored, never
put in a redirect URL or a message that outlives the page). Only staff with a role somewhere
have this page; a token can only ever do what its owner may do.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import permissions
from .api_tokens import ApiTokenError, api_token_create, api_token_revoke, api_tokens_of


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What will use it, e.g. “District SIS sync”."),
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


def _require_staff(user) -> None:
    if not permissions.is_product_staff(user):
        raise Http404


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    _require_staff(request.user)
    new_token = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except ApiTokenError as error:
            form.add_error(None, str(error))
        else:
            form = ApiTokenForm()
    status = 400 if request.method == "POST" and new_token is None else 200
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "new_token": new_token, "tokens": api_tokens_of(user=request.user)},
        status=status,
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    _require_staff(request.user)
    token = get_object_or_404(api_tokens_of(user=request.user), id=token_id)
    if api_token_revoke(token=token, actor=request.user):
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
