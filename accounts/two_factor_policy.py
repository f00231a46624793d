"""Who must show a second factor, and who may change one: the rules, in one place.

Read by the staff middleware (HTML), by the API's session and token authentication, and by
the two-factor pages and services, so the pages and the API can never disagree.

- A staff member must show a second factor when they have enrolled one, or when
  STAFF_OTP_REQUIRED says everyone must.
- A signed-in session is *verified* once it has shown a code from one of the user's own
  confirmed devices (an authenticator app or a recovery code).
- Second factors may be added, replaced or regenerated only from a verified session. The one
  exception is a user who has none yet: the password is then all there is to check.
"""

from django.conf import settings
from django_otp import user_has_device


def second_factor_enrolled(user) -> bool:
    return user_has_device(user, confirmed=True)


def second_factor_required(user, *, enrolled: bool | None = None) -> bool:
    """`enrolled`: already known for this request (accounts.auth_cache), else asked."""
    if settings.STAFF_OTP_REQUIRED:
        return True
    return second_factor_enrolled(user) if enrolled is None else enrolled


def session_verified(user) -> bool:
    """True when this request's user (through django-otp's middleware) showed a code from one
    of their own confirmed devices in this session."""
    device = getattr(user, "otp_device", None)
    return device is not None and device.user_id == user.pk and device.confirmed


def second_factor_missing(user, *, enrolled: bool | None = None) -> bool:
    """A signed-in user who must show a second factor and has not, in this session."""
    return (
        user.is_authenticated
        and not session_verified(user)
        and second_factor_required(user, enrolled=enrolled)
    )


def may_change_second_factor(user) -> bool:
    """May this session add, replace or regenerate second factors?"""
    return user.is_authenticated and (session_verified(user) or not second_factor_enrolled(user))
