from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import (
    AccountEvent,
    AdminChange,
    District,
    DistrictMembership,
    DistrictPolicy,
    Membership,
    OnCallContact,
    PhoneNumber,
    School,
    User,
)
from .services import user_password_changed
from .two_factor import two_factor_reset

# django-otp's own device page would let an administrator read a staff member's secret or add
# a device for them, unaudited. Second factors change only through accounts.two_factor: the
# owner's verified pages, or the reset action below.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


def operators_only(request) -> bool:
    """The admin site is the operators' (superusers'): district admins run their district
    from the product's pages (/staff/district/), which keep them inside it and log every
    change; `is_staff` alone no longer opens the admin site."""
    user = request.user
    return user.is_active and user.is_superuser


admin.site.has_permission = operators_only


@admin.register(AdminChange)
class AdminChangeAdmin(admin.ModelAdmin):
    """The district pages' changes log, read-only here as on the changes page."""

    list_display = ["created_at", "district", "actor", "kind", "target"]
    list_filter = ["kind", "district"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school"]


class DistrictMembershipInline(admin.TabularInline):
    model = DistrictMembership
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline, DistrictMembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "phone_number")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor sign-in (they enrol again; API tokens revoked)"))
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor_reset(user=user, actor=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d user; they were emailed.",
                "Two-factor sign-in reset for %(count)d users; they were emailed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def user_change_password(self, request, id, form_url=""):
        """Django's page; a password that changed also revokes the user's API tokens, and is
        audited and emailed (a new hash, salted afresh, is how a change shows)."""
        before = User.objects.filter(pk=unquote(id)).values_list("password", flat=True).first()
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST":
            user = User.objects.filter(pk=unquote(id)).first()
            if user is not None and user.password != before:
                user_password_changed(user=user, actor=request.user, via="admin site")
        return response


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The account audit trail: read-only."""

    list_display = ["created_at", "user", "kind", "actor"]
    list_filter = ["kind"]
    search_fields = ["user__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PhoneNumberInline(admin.TabularInline):
    model = PhoneNumber
    extra = 0


class OnCallInline(admin.TabularInline):
    model = OnCallContact
    extra = 0
    ordering = ["position"]


class DistrictPolicyInline(admin.StackedInline):
    model = DistrictPolicy
    extra = 0
    max_num = 1


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone"]
    inlines = [DistrictPolicyInline]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "slug", "timezone", "is_active"]
    list_filter = ["district", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PhoneNumberInline, OnCallInline]


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "district", "school"]
