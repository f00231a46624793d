"""Running a district from the product: staff and their roles, on-call lists, school SMS
numbers, the district's policy and its schools' hours. Every write is one function here,
keyword-only and atomic, and writes one AdminChange row (who, what, when) in the same
transaction. The pages that call them are workspace/views/district.py; the reads they show
are accounts/district_selectors.py.

Rules kept here, not in the pages:
- everything stays inside the acting admin's district: a school, a number or an account that
  belongs elsewhere is refused (the pages answer such ids with a 404 before this is reached);
- an admin cannot take away their own district admin role, nor deactivate themselves, so a
  district is never left by accident without the person who was running it;
- an account holding roles in another district, or an operator's (superuser) account, is not
  deactivated from here: that would reach beyond the district;
- an invitation creates the account without a usable password and emails a set-password link
  (Django's password-reset token: it stops working once a password is set, and after
  PASSWORD_RESET_TIMEOUT). The link is never stored or logged, nor written to the log here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import (
    E164_VALIDATOR,
    SCHOOL_ROLES,
    AdminChange,
    District,
    DistrictMembership,
    DistrictPolicy,
    Membership,
    OnCallContact,
    PhoneNumber,
    Role,
    School,
    User,
)
from .permissions import forget_roles
from .policies import district_policy_forget
from .public_address import public_url

INVITATION_SUBJECT = "School Tip Line: your staff account"
# District policy fields a district admin edits (all of the model's settings).
POLICY_FIELDS = (
    "life_safety_acknowledge_minutes",
    "urgent_first_response_minutes",
    "routine_first_response_school_days",
    "calldown_step_seconds",
    "retention_days",
    "summary_suppression_threshold",
    "critical_alert_action",
)
SCHOOL_HOURS_FIELDS = ("day_starts_at", "day_ends_at", "school_weekdays", "timezone")


class DistrictAdminError(ValueError):
    """A change the rules refuse; the message says why, in the staff's language."""


def admin_change_record(
    *,
    district: District,
    actor: User,
    kind: AdminChange.Kind,
    target: str = "",
    school: School | None = None,
    data: dict | None = None,
) -> AdminChange:
    return AdminChange.objects.create(
        district=district,
        school=school,
        actor=actor,
        kind=kind,
        target=target[:200],
        data=data or {},
    )


# --- Staff ---------------------------------------------------------------------------------


def _roles_in(user: User, district: District) -> dict:
    """The user's roles in this district, as stored: {"district_admin": bool, "schools":
    {school id as str: role}} (strings, so the dict goes into JSON as it is)."""
    schools = {
        str(school_id): role
        for school_id, role in Membership.objects.filter(
            user=user, school__district=district
        ).values_list("school_id", "role")
    }
    admin = DistrictMembership.objects.filter(
        user=user, district=district, role=Role.DISTRICT_ADMIN
    ).exists()
    return {"district_admin": admin, "schools": schools}


def _check_school_roles(district: District, school_roles: dict[int, str]) -> None:
    own = set(School.objects.filter(district=district).values_list("id", flat=True))
    for school_id, role in school_roles.items():
        if school_id not in own:
            raise DistrictAdminError(_("That school is not in your district."))
        if role not in {r.value for r in SCHOOL_ROLES}:
            raise DistrictAdminError(_("Choose counselor or principal."))


def _set_roles(user: User, district: District, *, district_admin: bool, school_roles) -> None:
    Membership.objects.filter(user=user, school__district=district).exclude(
        school_id__in=list(school_roles)
    ).delete()
    for school_id, role in school_roles.items():
        Membership.objects.update_or_create(user=user, school_id=school_id, defaults={"role": role})
    if district_admin:
        DistrictMembership.objects.get_or_create(
            user=user, district=district, defaults={"role": Role.DISTRICT_ADMIN}
        )
    else:
        DistrictMembership.objects.filter(user=user, district=district).delete()
    forget_roles(user)


@transaction.atomic
def staff_invite(
    *,
    district: District,
    actor: User,
    email: str,
    full_name: str,
    district_admin: bool = False,
    school_roles: dict[int, str],
) -> User:
    """A new staff account with the given roles in the district, and its invitation email
    (sent after commit). The account has no usable password until the link is followed."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DistrictAdminError(
            _("An account with this email already exists. Change its roles from the staff list.")
        )
    if not district_admin and not school_roles:
        raise DistrictAdminError(_("Give the new staff member a role at one school at least."))
    _check_school_roles(district, school_roles)
    user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    _set_roles(user, district, district_admin=district_admin, school_roles=school_roles)
    admin_change_record(
        district=district,
        actor=actor,
        kind=AdminChange.Kind.STAFF_INVITED,
        target=user.email,
        data={"user_id": user.id, "roles": _roles_in(user, district)},
    )
    transaction.on_commit(lambda: staff_invitation_send(user=user, actor=actor), robust=True)
    return user


def staff_invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return public_url(reverse("accounts:invitation_accept", args=[uid, token]))


def staff_invitation_send(*, user: User, actor: User | None) -> None:
    """Email the invitation: who invited them, the one-time link to choose a password, and
    what comes next (the authenticator app). Best effort, like the account notices."""
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "accounts/invitation_email.txt",
            {
                "user": user,
                "inviter": actor,
                "link": staff_invitation_link(user),
                "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
                "otp_required": settings.STAFF_OTP_REQUIRED,
            },
        )
    send_mail(INVITATION_SUBJECT, body, None, [user.email])


@transaction.atomic
def staff_invitation_resend(*, district: District, actor: User, user: User) -> None:
    """A new invitation email for someone who has not chosen a password yet (the earlier
    link keeps working until it expires or a password is set)."""
    if user.has_usable_password():
        raise DistrictAdminError(
            _("This person has chosen a password already; they can reset it if forgotten.")
        )
    if not user.is_active:
        raise DistrictAdminError(_("This account is deactivated."))
    admin_change_record(
        district=district,
        actor=actor,
        kind=AdminChange.Kind.STAFF_INVITED,
        target=user.email,
        data={"user_id": user.id, "again": True, "roles": _roles_in(user, district)},
    )
    transaction.on_commit(lambda: staff_invitation_send(user=user, actor=actor), robust=True)


@transaction.atomic
def staff_roles_set(
    *,
    district: District,
    actor: User,
    user: User,
    district_admin: bool,
    school_roles: dict[int, str],
) -> bool:
    """Replace the user's roles in this district (roles elsewhere are left alone). Returns
    False when nothing changed (and nothing is recorded)."""
    _check_school_roles(district, school_roles)
    before = _roles_in(user, district)
    if user.pk == actor.pk and before["district_admin"] and not district_admin:
        raise DistrictAdminError(
            _("You cannot remove your own district admin role. Ask another district admin.")
        )
    if user.is_superuser and not actor.is_superuser:
        raise DistrictAdminError(_("Operators' accounts are changed in the admin site."))
    if not district_admin and not school_roles and not _has_roles_elsewhere(user, district):
        raise DistrictAdminError(
            _("Keep one role at least; to stop someone signing in, deactivate the account.")
        )
    _set_roles(user, district, district_admin=district_admin, school_roles=school_roles)
    after = _roles_in(user, district)
    if after == before:
        return False
    admin_change_record(
        district=district,
        actor=actor,
        kind=AdminChange.Kind.STAFF_ROLES_CHANGED,
        target=user.email,
        data={"user_id": user.id, "before": before, "after": after},
    )
    return True


def _has_roles_elsewhere(user: User, district: District) -> bool:
    return (
        Membership.objects.filter(user=user).exclude(school__district=district).exists()
        or DistrictMembership.objects.filter(user=user).exclude(district=district).exists()
    )


@transaction.atomic
def staff_active_set(*, district: District, actor: User, user: User, active: bool) -> bool:
    """Deactivate (no sign-in, no API token, off every call-down) or reactivate an account.
    Returns False when it already was so."""
    if user.pk == actor.pk:
        raise DistrictAdminError(_("You cannot deactivate your own account."))
    if user.is_superuser:
        raise DistrictAdminError(_("Operators' accounts are changed in the admin site."))
    if _has_roles_elsewhere(user, district):
        raise DistrictAdminError(
            _("This person also works for another district; ask its admins or an operator.")
        )
    if user.is_active == active:
        return False
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    forget_roles(user)
    admin_change_record(
        district=district,
        actor=actor,
        kind=AdminChange.Kind.STAFF_REACTIVATED if active else AdminChange.Kind.STAFF_DEACTIVATED,
        target=user.email,
        data={"user_id": user.id},
    )
    return True


# --- On-call lists -------------------------------------------------------------------------


def on_call_candidates(school: School):
    """Who may be on a school's call-down: active staff with a role there (its counselors and
    principals, and the district's admins)."""
    return (
        User.objects.filter(is_active=True)
        .filter(_member_of(school))
        .exclude(on_call_entries__school=school)
        .distinct()
        .order_by("full_name", "email")
    )


def _member_of(school: School) -> Q:
    return Q(memberships__school=school) | Q(
        district_memberships__district_id=school.district_id,
        district_memberships__role=Role.DISTRICT_ADMIN,
    )


def _renumber(school: School, ordered_ids: list[int]) -> None:
    """Positions 1..n in this order. Positions are unique per school, so the rows are moved
    out of the way first (two UPDATEs per row, one transaction)."""
    offset = 10000
    for index, contact_id in enumerate(ordered_ids):
        OnCallContact.objects.filter(id=contact_id).update(position=offset + index)
    for index, contact_id in enumerate(ordered_ids):
        OnCallContact.objects.filter(id=contact_id).update(position=index + 1)


def _order(school: School) -> list[int]:
    """The list's ids in order, with the list locked until the transaction ends (through its
    school's row, which exists even while the list is empty): two admins adding or
    reordering at once take turns instead of colliding on a position."""
    list(School.objects.select_for_update().filter(pk=school.pk).values_list("pk", flat=True))
    return list(
        OnCallContact.objects.filter(school=school)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )


def _order_emails(school: School) -> list[str]:
    return list(
        OnCallContact.objects.filter(school=school)
        .order_by("position")
        .values_list("user__email", flat=True)
    )


@transaction.atomic
def on_call_add(*, school: School, actor: User, user: User) -> OnCallContact:
    """Put a staff member at the end of the school's call-down list."""
    if not User.objects.filter(pk=user.pk).filter(_member_of(school)).exists():
        raise DistrictAdminError(
            _("Only staff of this school, or district admins, can be on call.")
        )
    if not user.is_active:
        raise DistrictAdminError(_("This account is deactivated."))
    if OnCallContact.objects.filter(school=school, user=user).exists():
        raise DistrictAdminError(_("This person is already on the list."))
    _order(school)  # lock the list: two admins adding at once do not take one position
    last = OnCallContact.objects.filter(school=school).aggregate(last=Max("position"))["last"]
    contact = OnCallContact.objects.create(school=school, user=user, position=(last or 0) + 1)
    admin_change_record(
        district=school.district,
        school=school,
        actor=actor,
        kind=AdminChange.Kind.ON_CALL_ADDED,
        target=user.email,
        data={"position": contact.position, "order": _order_emails(school)},
    )
    return contact


@transaction.atomic
def on_call_remove(*, contact: OnCallContact, actor: User) -> None:
    school = contact.school
    email = contact.user.email
    _order(school)  # lock the list first
    contact.delete()
    _renumber(school, _order(school))
    admin_change_record(
        district=school.district,
        school=school,
        actor=actor,
        kind=AdminChange.Kind.ON_CALL_REMOVED,
        target=email,
        data={"order": _order_emails(school)},
    )


@transaction.atomic
def on_call_move(*, contact: OnCallContact, actor: User, step: int) -> bool:
    """Move a contact one place up (step -1) or down (+1); False at either end."""
    school = contact.school
    order = _order(school)
    index = order.index(contact.id)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(order):
        return False
    before = _order_emails(school)
    order[index], order[target] = order[target], order[index]
    _renumber(school, order)
    admin_change_record(
        district=school.district,
        school=school,
        actor=actor,
        kind=AdminChange.Kind.ON_CALL_REORDERED,
        target=contact.user.email,
        data={"before": before, "after": _order_emails(school)},
    )
    return True


# --- School SMS numbers --------------------------------------------------------------------


@transaction.atomic
def phone_number_add(
    *, district: District, actor: User, number: str, school: School | None
) -> PhoneNumber:
    """A Twilio number that receives tips, for one school or (no school) the whole district.
    The number is in E.164 form and belongs to no other school or district."""
    number = number.strip().replace(" ", "")
    try:
        E164_VALIDATOR(number)
    except ValidationError as exc:
        raise DistrictAdminError(exc.messages[0]) from exc
    if school is not None and school.district_id != district.id:
        raise DistrictAdminError(_("That school is not in your district."))
    if PhoneNumber.objects.filter(number=number).exists():
        raise DistrictAdminError(_("This number already receives tips for a school."))
    try:
        with transaction.atomic():
            row = PhoneNumber.objects.create(number=number, district=district, school=school)
    except IntegrityError as exc:  # another admin added it a moment ago
        raise DistrictAdminError(_("This number already receives tips for a school.")) from exc
    admin_change_record(
        district=district,
        school=school,
        actor=actor,
        kind=AdminChange.Kind.NUMBER_ADDED,
        target=number,
        data={"school_id": school.id if school else None},
    )
    return row


@transaction.atomic
def phone_number_remove(*, phone_number: PhoneNumber, actor: User) -> None:
    admin_change_record(
        district=phone_number.district,
        school=phone_number.school,
        actor=actor,
        kind=AdminChange.Kind.NUMBER_REMOVED,
        target=phone_number.number,
        data={"school_id": phone_number.school_id},
    )
    phone_number.delete()


# --- Policies and school hours -------------------------------------------------------------


def _diff(row, values: dict, fields) -> dict:
    changes = {}
    for field in fields:
        if field not in values:
            continue
        old, new = getattr(row, field), values[field]
        if old != new:
            changes[field] = [str(old), str(new)]
            setattr(row, field, new)
    return changes


@transaction.atomic
def district_policy_update(*, district: District, actor: User, values: dict) -> dict:
    """Change the district's policy; returns {field: [before, after]} (empty: no change).
    This process reads the new policy at once, others within TIPLINE_SCHOOL_CACHE_SECONDS."""
    policy = DistrictPolicy.objects.select_for_update().filter(district=district).first()
    policy = policy or DistrictPolicy(district=district)
    changes = _diff(policy, values, POLICY_FIELDS)
    if not changes:
        return {}
    policy.full_clean()
    policy.save()
    admin_change_record(
        district=district,
        actor=actor,
        kind=AdminChange.Kind.POLICY_CHANGED,
        target=district.name,
        data={"changes": changes},
    )
    district_policy_forget(district.id)
    transaction.on_commit(lambda: district_policy_forget(district.id))
    return changes


@transaction.atomic
def school_hours_update(*, school: School, actor: User, values: dict) -> dict:
    """A school's day and weekdays: outside them, routine and urgent notices wait for the
    morning digest and only life safety goes out at once."""
    school = School.objects.select_for_update().get(pk=school.pk)
    changes = _diff(school, values, SCHOOL_HOURS_FIELDS)
    if not changes:
        return {}
    if school.day_ends_at <= school.day_starts_at:
        raise DistrictAdminError(_("The school day must end after it starts."))
    school.full_clean()
    school.save(update_fields=list(changes))
    admin_change_record(
        district=school.district,
        school=school,
        actor=actor,
        kind=AdminChange.Kind.SCHOOL_HOURS_CHANGED,
        target=school.name,
        data={"changes": changes},
    )
    return changes
