"""Forms of the district pages (workspace/views/district.py). They check what a form can
(E.164, required fields, ranges); the rules that need the database or the acting admin (the
last admin role, another district's roles, a number taken) are the services', whose message
the page shows on the form."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.district_admin import POLICY_FIELDS, SCHOOL_HOURS_FIELDS
from accounts.models import E164_VALIDATOR, SCHOOL_ROLES, DistrictPolicy, School
from alerts.models import SourceKind

NO_ROLE = ""


class StaffRolesForm(forms.Form):
    """One role per school of the district (or none), and the district admin role."""

    district_admin = forms.BooleanField(
        label=_("District safety admin (every school of the district, and these pages)"),
        required=False,
    )

    def __init__(self, *args, schools, initial_roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = list(schools)
        initial_roles = initial_roles or {}
        for school in self.schools:
            self.fields[f"school_{school.id}"] = forms.ChoiceField(
                label=_("Role at %(school)s") % {"school": school.name},
                required=False,
                choices=[(NO_ROLE, _("No role")), *[(r.value, r.label) for r in SCHOOL_ROLES]],
                initial=initial_roles.get(school.id, NO_ROLE),
            )

    def school_roles(self) -> dict[int, str]:
        return {
            school.id: self.cleaned_data[f"school_{school.id}"]
            for school in self.schools
            if self.cleaned_data.get(f"school_{school.id}")
        }


class InviteForm(StaffRolesForm):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150)

    field_order = ["email", "full_name", "district_admin"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("district_admin") and not self.school_roles():
            raise forms.ValidationError(
                _("Give the new staff member a role at one school at least.")
            )
        return cleaned


class OnCallAddForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Add to the list"), queryset=None, empty_label=_("Choose a person")
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = lambda user: f"{user} ({user.email})"


class PhoneNumberForm(forms.Form):
    number = forms.CharField(
        label=_("Number"),
        max_length=20,
        help_text=_("In international form, like +13035550100."),
    )
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        required=False,
        empty_label=_("District-wide (asks which school)"),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools

    def clean_number(self):
        number = self.cleaned_data["number"].strip().replace(" ", "")
        E164_VALIDATOR(number)
        return number


class SourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SourceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools whose alerts it may raise"),
        queryset=School.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    server_url = forms.URLField(
        label=_("Server"),
        required=False,
        assume_scheme="https",
        help_text=_("Mastodon instance or Bluesky service, e.g. https://mastodon.social."),
    )
    query = forms.CharField(
        label=_("Search"),
        max_length=300,
        required=False,
        help_text=_("Mastodon: a hashtag without #. Bluesky: search words."),
    )
    feed_url = forms.URLField(
        label=_("Feed address"), max_length=500, required=False, assume_scheme="https"
    )
    account_handle = forms.CharField(label=_("Bluesky handle"), max_length=120, required=False)
    app_password = forms.CharField(
        label=_("Bluesky app password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    poll_interval_seconds = forms.IntegerField(
        label=_("Read every (seconds)"), initial=300, min_value=60, max_value=86400
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools


POLICY_LIMITS = {
    "life_safety_acknowledge_minutes": (1, 1440),
    "urgent_first_response_minutes": (1, 10080),
    "routine_first_response_school_days": (1, 10),
    "calldown_step_seconds": (30, 3600),
    "retention_days": (30, 3650),
    "summary_suppression_threshold": (3, 100),
}


class PolicyForm(forms.ModelForm):
    class Meta:
        model = DistrictPolicy
        fields = list(POLICY_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in POLICY_LIMITS.items():
            field = self.fields[name]
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update(min=low, max=high)
        self.fields["summary_suppression_threshold"].help_text = _(
            "At least 3: smaller counts can identify a student."
        )


class SchoolHoursForm(forms.ModelForm):
    class Meta:
        model = School
        fields = list(SCHOOL_HOURS_FIELDS)
        widgets = {
            "day_starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "day_ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("day_starts_at"), cleaned.get("day_ends_at")
        if starts and ends and ends <= starts:
            self.add_error("day_ends_at", _("The school day must end after it starts."))
        return cleaned
