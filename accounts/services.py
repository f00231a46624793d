"""Account security writes: the account audit trail, the owner's email notice, and what a
password change takes with it.

Every change to how a staff member signs in (a second factor added, replaced or reset,
recovery codes made or used, the password changed) is one AccountEvent row, and the owner is
emailed after commit: what happened and when, never a secret, a code, a token or an address,
so that someone who did not do it can raise the alarm. The notice is best effort: a mail
server that refuses it is logged (django's robust on_commit) and the event stays recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .api_tokens import api_tokens_revoke_all
from .language import in_language_of
from .models import AccountEvent, RevokedBecause, User
from .public_address import public_url

NOTICE_SUBJECTS = {
    AccountEvent.Kind.TWO_FACTOR_ENABLED: _("Two-factor sign-in is on for your account"),
    AccountEvent.Kind.DEVICE_ADDED: _("An authenticator app was added to your account"),
    AccountEvent.Kind.DEVICE_REPLACED: _("Your authenticator app was replaced"),
    AccountEvent.Kind.RECOVERY_CODES_CREATED: _("New recovery codes for your account"),
    AccountEvent.Kind.RECOVERY_CODE_USED: _("A recovery code was used to sign in"),
    AccountEvent.Kind.TWO_FACTOR_RESET: _("Two-factor sign-in was reset on your account"),
    AccountEvent.Kind.PASSWORD_CHANGED: _("Your password was changed"),
    AccountEvent.Kind.SIGNED_IN_PAST_LOCKOUT: _("Many wrong passwords were tried on your account"),
}
SUBJECT_PREFIX = "School Tip Line: "


def account_event_record(
    *,
    user: User,
    kind: AccountEvent.Kind,
    actor: User | None,
    data: dict | None = None,
    notify: bool = True,
) -> AccountEvent:
    """Write one event to the account's audit trail and, after commit, email the owner."""
    event = AccountEvent.objects.create(user=user, kind=kind, actor=actor, data=data or {})
    if notify:
        transaction.on_commit(lambda: account_notice_send(event=event), robust=True)
    return event


def account_notice_send(*, event: AccountEvent) -> None:
    """Email the account's owner about one security event (no secrets in it), in the
    owner's language."""
    user = event.user
    by_someone_else = event.actor_id is not None and event.actor_id != user.id
    with in_language_of(user):
        body = render_to_string(
            "accounts/security_notice_email.txt",
            {
                "user": user,
                "event": event,
                "when": timezone.localtime(event.created_at),
                "by_someone_else": by_someone_else,
                "tokens_revoked": event.data.get("tokens_revoked", 0),
                "codes_left": event.data.get("codes_left"),
                "account_url": public_url(reverse("accounts:home")),
            },
        )
        subject = SUBJECT_PREFIX + str(NOTICE_SUBJECTS[event.kind])
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def user_password_changed(*, user: User, actor: User | None, via: str) -> AccountEvent:
    """Record a password change made elsewhere (reset link, admin site, command line): the
    user's API tokens are revoked (a token must not outlive the password it was made under),
    the change is audited and the owner emailed, saying how many tokens stopped working."""
    revoked = api_tokens_revoke_all(user=user, because=RevokedBecause.PASSWORD_CHANGED)
    return account_event_record(
        user=user,
        kind=AccountEvent.Kind.PASSWORD_CHANGED,
        actor=actor,
        data={"via": via, "tokens_revoked": revoked},
    )


def user_language_set(*, user: User, language: str) -> None:
    """Save the language `user` wants their pages, emails and SMS notices in ("" for none:
    pages follow the browser, notices the site default)."""
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(f"Unknown language: {language!r}")
    User.objects.filter(id=user.id).update(language=language)
    user.language = language
