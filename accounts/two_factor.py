"""Second factors: authenticator apps (TOTP), recovery codes, and every change to them.

Who may change what is decided by accounts.two_factor_policy; these services check it again
themselves (`verified_by` is the device that verified the acting session, `None` when it is
not verified), so no page can enrol a device on the strength of a password alone.

- The first authenticator app turns two-factor sign-in on: RECOVERY_CODE_COUNT recovery codes
  are made and returned once (only their SHA-256 is stored), and API tokens made before, with
  the password alone, are revoked.
- Adding or replacing an app, or making new recovery codes, needs a verified session.
- A recovery code works once, wherever a code from the app does (the verify page, signing in
  past a lockout); its use is recorded and the owner emailed.
- An administrator's reset removes every factor and revokes the user's API tokens.

Every change is written to the account's audit trail and emailed to its owner
(accounts.services).
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .api_tokens import api_tokens_revoke_all
from .auth_cache import auth_forget
from .models import (
    AccountEvent,
    RecoveryCode,
    RecoveryCodeDevice,
    RevokedBecause,
    User,
    recovery_code_digest,
)
from .services import account_event_record
from .two_factor_policy import second_factor_enrolled

RECOVERY_CODE_COUNT = 10
# 16 symbols of 32 (5 bits each): 80 random bits a code, printed as four groups of four.
RECOVERY_CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 16
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

ERROR_NOT_VERIFIED = _(
    "First enter a code from your current authenticator app, or a recovery code: only a "
    "verified session may change how you sign in."
)
ERROR_NOT_ENROLLED = _("Set up an authenticator app first.")
ERROR_CODE = _("That code did not match. Check your phone's clock and try again.")
ERROR_SETUP_GONE = _("This setup was already finished or cancelled. Start again.")


class TwoFactorError(ValueError):
    pass


def _verified(user: User, verified_by: Device | None) -> bool:
    return verified_by is not None and verified_by.user_id == user.id and verified_by.confirmed


def _require_may_change(*, user: User, verified_by: Device | None) -> None:
    if second_factor_enrolled(user) and not _verified(user, verified_by):
        raise TwoFactorError(ERROR_NOT_VERIFIED)


def recovery_code_new() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[start : start + 4] for start in range(0, RECOVERY_CODE_LENGTH, 4))


def recovery_code_is_well_formed(code: str) -> bool:
    normalized = code.replace("-", "").replace(" ", "").lower()
    return len(normalized) == RECOVERY_CODE_LENGTH and all(
        symbol in RECOVERY_CODE_ALPHABET for symbol in normalized
    )


def _recovery_codes_replace(*, user: User) -> list[str]:
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME}
    )
    device.codes.all().delete()
    device.throttle_reset(commit=True)
    codes = [recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_code_digest(code)) for code in codes
    )
    return codes


def totp_device_pending(
    *, user: User, verified_by: Device | None, device_id: int | None = None
) -> TOTPDevice:
    """The unconfirmed authenticator being set up (`device_id`, kept in the session), or a new
    one. Its secret is shown only to a session allowed to change second factors."""
    _require_may_change(user=user, verified_by=verified_by)
    if device_id is not None:
        device = TOTPDevice.objects.filter(id=device_id, user=user, confirmed=False).first()
        if device is not None:
            return device
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def totp_device_confirm(
    *,
    device: TOTPDevice,
    token: str,
    verified_by: Device | None,
    keep_existing: bool = False,
) -> list[str]:
    """Confirm a new authenticator with a code it shows. Replaces the user's other apps unless
    `keep_existing`. Returns the new recovery codes when this turned two-factor on (shown
    once, never stored), else []. Raises TwoFactorError."""
    user = device.user
    _require_may_change(user=user, verified_by=verified_by)
    first = not second_factor_enrolled(user)
    # Outside the transaction: a wrong code's throttling step must be kept.
    if not device.verify_token(token):
        raise TwoFactorError(ERROR_CODE)
    with transaction.atomic():
        if not TOTPDevice.objects.filter(id=device.id, user=user, confirmed=False).update(
            confirmed=True
        ):
            raise TwoFactorError(ERROR_SETUP_GONE)
        auth_forget(user.id)  # the UPDATE above sends no signal: the user is now enrolled
        device.confirmed = True
        others = TOTPDevice.objects.filter(user=user).exclude(id=device.id)
        others.filter(confirmed=False).delete()
        replaced = 0
        if not first and not keep_existing:
            replaced, _details = others.filter(confirmed=True).delete()
        codes: list[str] = []
        tokens_revoked = 0
        if first:
            kind = AccountEvent.Kind.TWO_FACTOR_ENABLED
            codes = _recovery_codes_replace(user=user)
            tokens_revoked = api_tokens_revoke_all(
                user=user, because=RevokedBecause.TWO_FACTOR_CHANGED
            )
        elif replaced:
            kind = AccountEvent.Kind.DEVICE_REPLACED
        else:
            kind = AccountEvent.Kind.DEVICE_ADDED
        account_event_record(
            user=user,
            kind=kind,
            actor=user,
            data={"replaced": replaced, "tokens_revoked": tokens_revoked},
        )
    return codes


def recovery_codes_regenerate(*, user: User, verified_by: Device | None) -> list[str]:
    """New recovery codes for a verified session (the old ones stop working). Returned once."""
    if not second_factor_enrolled(user):
        raise TwoFactorError(ERROR_NOT_ENROLLED)
    if not _verified(user, verified_by):
        raise TwoFactorError(ERROR_NOT_VERIFIED)
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        account_event_record(
            user=user,
            kind=AccountEvent.Kind.RECOVERY_CODES_CREATED,
            actor=user,
            data={"codes_left": len(codes)},
        )
    return codes


def recovery_codes_left(*, user: User) -> int | None:
    """How many unused recovery codes the user has; None when they have none at all."""
    device = RecoveryCodeDevice.objects.filter(user=user).first()
    return None if device is None else device.unused_count


def second_factor_code_match(*, user: User, code: str) -> Device | None:
    """The user's confirmed device that accepts `code`, a code from an authenticator app or a
    recovery code (which is spent, recorded and emailed about), or None."""
    normalized = code.replace(" ", "").replace("-", "").lower()
    if normalized.isdigit():
        with transaction.atomic():
            # Locked, so one code cannot be accepted twice by two racing requests.
            devices = TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update()
            for device in devices:
                if device.verify_token(normalized):
                    return device
        return None
    if not recovery_code_is_well_formed(normalized):
        return None
    device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_token(normalized):
        return None
    account_event_record(
        user=user,
        kind=AccountEvent.Kind.RECOVERY_CODE_USED,
        actor=user,
        data={"codes_left": device.unused_count},
    )
    return device


@transaction.atomic
def two_factor_reset(*, user: User, actor: User) -> AccountEvent:
    """An administrator removes every second factor of `user` (a lost phone and no recovery
    code): they enrol again at their next sign-in. Their API tokens are revoked."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    revoked = api_tokens_revoke_all(user=user, because=RevokedBecause.TWO_FACTOR_CHANGED)
    return account_event_record(
        user=user,
        kind=AccountEvent.Kind.TWO_FACTOR_RESET,
        actor=actor,
        data={"tokens_revoked": revoked},
    )
