"""Staff accounts, the district and its schools, and who may do what where.

Tipsters never have accounts. Roles are held per school (counselor, principal) or per
district (district admin); `accounts.permissions` is the only place that interprets them.
"""

import hashlib
import zoneinfo
from datetime import time

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

E164_VALIDATOR = RegexValidator(
    r"^\+[1-9]\d{6,14}$", _("Enter the number in international form, like +13035550100.")
)
WEEKDAYS_VALIDATOR = RegexValidator(
    r"^(?!.*(.).*\1)[1-7]{1,7}$", _("List ISO weekdays once each, Monday=1 … Sunday=7.")
)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Role(models.TextChoices):
    COUNSELOR = "counselor", _("Counselor")
    PRINCIPAL = "principal", _("Principal")
    DISTRICT_ADMIN = "district_admin", _("District safety admin")


SCHOOL_ROLES = (Role.COUNSELOR, Role.PRINCIPAL)


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """An UPDATE sends no signal: the users it changes stop being trusted from the cache
        here (accounts.auth_cache), e.g. a deactivation by a district admin."""
        from .auth_cache import auth_forget

        user_ids = list(self.values_list("pk", flat=True))
        updated = super().update(**kwargs)
        for user_id in user_ids:
            auth_forget(user_id)
        return updated

    update.alters_data = True


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("Staff accounts need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str):
        # Email addresses are compared without regard to case, as mail servers do.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff member. Logs in with an email address.

    `is_staff` means access to the Django admin site only; what a user may see in the product
    comes from memberships (see accounts.permissions).
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone_number = models.CharField(
        _("mobile number for urgent notices"),
        max_length=16,
        blank=True,
        validators=[E164_VALIDATOR],
    )
    # The language of the staff pages, emails and SMS notices this person gets. Blank: the
    # browser's choice for pages (the switcher, then Accept-Language), the site default
    # (settings.LANGUAGE_CODE) for what is sent (accounts.language).
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of your pages, emails and text messages."),
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class District(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    timezone = models.CharField(
        max_length=64, default="America/Denver", validators=[validate_timezone]
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        unique=True, help_text=_("The short link printed on posters: /s/<slug>/")
    )
    timezone = models.CharField(
        max_length=64, default="America/Denver", validators=[validate_timezone]
    )
    day_starts_at = models.TimeField(_("school day starts"), default=time(7, 30))
    day_ends_at = models.TimeField(_("school day ends"), default=time(16, 0))
    school_weekdays = models.CharField(
        _("school weekdays"),
        max_length=7,
        default="12345",
        validators=[WEEKDAYS_VALIDATOR],
        help_text=_("ISO weekdays the school is open: 12345 is Monday to Friday."),
    )
    replies_in_spanish = models.BooleanField(
        _("automatic SMS replies also in Spanish"), default=False
    )
    alert_terms = models.TextField(
        _("words that identify the school"),
        blank=True,
        help_text=_("One per line: names, nicknames, mascot, social handles, places."),
    )
    short_names = models.TextField(
        _("other names students use"),
        blank=True,
        help_text=_(
            "One per line: what students type to find the school on the tip line besides its "
            "name, e.g. Lincoln Lions or Poly. Initials (LHS) are found without being listed."
        ),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_ends_at__gt=models.F("day_starts_at")),
                name="school_day_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(day) for day in self.school_weekdays)

    @property
    def alert_term_list(self) -> list[str]:
        return [line.strip() for line in self.alert_terms.splitlines() if line.strip()]

    @property
    def short_name_list(self) -> list[str]:
        return [line.strip() for line in self.short_names.splitlines() if line.strip()]


class PhoneNumber(models.Model):
    """A Twilio number that receives tips: a school's own, or a district-wide one."""

    number = models.CharField(max_length=16, unique=True, validators=[E164_VALIDATOR])
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="phone_numbers")
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        related_name="phone_numbers",
        null=True,
        blank=True,
        help_text=_("Empty for a district-wide number that asks which school."),
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number

    def clean(self):
        if self.school_id and self.school.district_id != self.district_id:
            raise ValidationError(_("The school must belong to the number's district."))


class Membership(models.Model):
    """A staff member's role at one school."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in SCHOOL_ROLES])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="one_role_per_user_school"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in SCHOOL_ROLES]),
                name="membership_role_is_a_school_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.school}"


class DistrictMembership(models.Model):
    """A district safety admin: every school of the district."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="district_memberships")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        max_length=20,
        choices=[(Role.DISTRICT_ADMIN.value, Role.DISTRICT_ADMIN.label)],
        default=Role.DISTRICT_ADMIN,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "district"], name="one_role_per_user_district")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.district}"


class OnCallContact(models.Model):
    """One step of a school's life-safety call-down list, called in `position` order."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="on_call_contacts")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="on_call_entries")
    position = models.PositiveSmallIntegerField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["school", "position"]
        constraints = [
            models.UniqueConstraint(fields=["school", "position"], name="one_contact_per_position"),
            models.UniqueConstraint(fields=["school", "user"], name="one_position_per_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.school} #{self.position}: {self.user}"


class CriticalAlertAction(models.TextChoices):
    OPEN_CASE = "open_case", _("Open a life-safety case and start the call-down at once")
    NOTIFY_ON_CALL = "notify_on_call", _("Notify the on-call contacts with a link")


class DistrictPolicy(models.Model):
    """A district's service targets and limits. A district without a row uses the defaults."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="policy")
    life_safety_acknowledge_minutes = models.PositiveIntegerField(
        _("life-safety: acknowledged within (minutes, any hour)"), default=5
    )
    urgent_first_response_minutes = models.PositiveIntegerField(
        _("urgent: first response within (minutes, any hour)"), default=240
    )
    routine_first_response_school_days = models.PositiveSmallIntegerField(
        _("routine: first response by the end of this many school days later"), default=1
    )
    calldown_step_seconds = models.PositiveIntegerField(
        _("life-safety call-down: wait before the next contact (seconds)"), default=300
    )
    retention_days = models.PositiveIntegerField(
        _("erase case content this many days after closing"), default=365
    )
    summary_suppression_threshold = models.PositiveSmallIntegerField(
        _("summaries hide counts below this number"),
        default=5,
        help_text=_("Small counts can identify a student; they are shown as “fewer than N”."),
    )

    after_hours_line = models.CharField(
        _("24/7 line for callers outside school hours"),
        max_length=16,
        blank=True,
        validators=[E164_VALIDATOR],
        help_text=_(
            "A caller who asks to be connected outside the school's hours is put through to "
            "this number (a crisis line that answers at any hour). Empty: they leave a message."
        ),
    )
    critical_alert_action = models.CharField(
        _("a critical social-post alert"),
        max_length=16,
        choices=CriticalAlertAction.choices,
        default=CriticalAlertAction.NOTIFY_ON_CALL,
    )

    class Meta:
        verbose_name_plural = "district policies"

    def __str__(self) -> str:
        return f"Policy of {self.district}"


class RevokedBecause(models.TextChoices):
    OWNER = "owner", _("revoked by you")
    PASSWORD_CHANGED = "password_changed", _("revoked when your password changed")
    TWO_FACTOR_CHANGED = "two_factor_changed", _("revoked when your two-factor sign-in changed")


class ApiToken(models.Model):
    """A staff member's personal token for integrations (see accounts.api_tokens).

    Only the SHA-256 of the token is stored; `prefix` is its short visible part, used to find
    the row and to tell tokens apart on the tokens page. The token acts as its owner, with the
    owner's current roles: it grants nothing the owner could not do in the browser.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What uses it."))
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(
        max_length=24, choices=RevokedBecause.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def recovery_code_digest(code: str) -> str:
    """The SHA-256 of a recovery code, as typed or printed (spaces, dashes, letter case aside).

    A fast hash is enough: every code carries 80 random bits (accounts.two_factor), so there
    is nothing to guess offline, as with API tokens.
    """
    normalized = code.replace("-", "").replace(" ", "").strip().lower()
    return hashlib.sha256(normalized.encode()).hexdigest()


class RecoveryCodeDevice(ThrottlingMixin, TimestampMixin, Device):
    """A staff member's single-use recovery codes, one device per user (django-otp's own
    static device stores its codes in clear, so it is not used).

    Verifying a code spends it: a conditional UPDATE, so two requests racing with the same
    code cannot both succeed. Wrong codes slow the next try down (django-otp's throttling).
    """

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_RECOVERY_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        spent = self.codes.filter(
            digest=recovery_code_digest(str(token)), used_at__isnull=True
        ).update(used_at=timezone.now())
        if not spent:
            self.throttle_increment(commit=True)
            return False
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True

    @property
    def unused_count(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    """One recovery code, stored only as its SHA-256 (see recovery_code_digest)."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="one_row_per_recovery_code")
        ]

    def __str__(self) -> str:
        return f"recovery code #{self.id} ({'used' if self.used_at else 'unused'})"


class AccountEvent(models.Model):
    """Append-only audit trail of a staff account's security: second factors, recovery codes,
    password, API tokens. The case audit trail (CaseEvent) is for cases; these events belong
    to no case. `data` holds names and counts, never a secret, a code or a client address.
    """

    class Kind(models.TextChoices):
        TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor sign-in turned on")
        DEVICE_ADDED = "device_added", _("Authenticator app added")
        DEVICE_REPLACED = "device_replaced", _("Authenticator app replaced")
        RECOVERY_CODES_CREATED = "recovery_codes_created", _("New recovery codes made")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used to sign in")
        TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor sign-in reset")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        SIGNED_IN_PAST_LOCKOUT = (
            "signed_in_past_lockout",
            _("Signed in with password and code while sign-in was locked"),
        )

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.user}"


class AdminChange(models.Model):
    """Append-only log of what a district's admins changed in the product: staff and roles,
    on-call lists, SMS numbers, alert sources, policies and school hours. Who, what, when;
    `data` holds field names and before/after values of settings, never a password, a token
    or an invitation link. District admins read their district's on the "changes" page."""

    class Kind(models.TextChoices):
        STAFF_INVITED = "staff_invited", _("Staff member invited")
        STAFF_ROLES_CHANGED = "staff_roles_changed", _("Staff roles changed")
        STAFF_DEACTIVATED = "staff_deactivated", _("Staff member deactivated")
        STAFF_REACTIVATED = "staff_reactivated", _("Staff member reactivated")
        ON_CALL_ADDED = "on_call_added", _("On-call contact added")
        ON_CALL_REMOVED = "on_call_removed", _("On-call contact removed")
        ON_CALL_REORDERED = "on_call_reordered", _("On-call list reordered")
        NUMBER_ADDED = "number_added", _("SMS number added")
        NUMBER_REMOVED = "number_removed", _("SMS number removed")
        SOURCE_CREATED = "source_created", _("Alert source created")
        SOURCE_TOKEN_ROTATED = "source_token_rotated", _("Alert source token rotated")
        SOURCE_DISABLED = "source_disabled", _("Alert source deactivated")
        SOURCE_ENABLED = "source_enabled", _("Alert source reactivated")
        POLICY_CHANGED = "policy_changed", _("District policy changed")
        SCHOOL_HOURS_CHANGED = "school_hours_changed", _("School hours changed")

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="admin_changes")
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target} · {self.district}"
