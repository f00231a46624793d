"""The form of a tip staff took by phone, in person, by email or from a partner hotline."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Category, DangerNow
from tipline.forms import BODY_MAX_LENGTH, DETAIL_MAX_LENGTH, AttachmentsField
from tipline.models import ReceivedBy

ERROR_CONTACT_MISSING = _("Say how the reporter may be contacted, or untick “may be contacted”.")


class StaffTipForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=None, empty_label=None)
    received_by = forms.ChoiceField(
        label=_("How was it received?"), choices=ReceivedBy.choices, widget=forms.RadioSelect
    )
    body = forms.CharField(
        label=_("What was said"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The reporter's words as closely as you can. Up to 5,000 characters."),
    )
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=[("", _("Choose one")), *Category.choices]
    )
    danger_now = forms.ChoiceField(
        label=_("Is someone in danger right now?"),
        choices=DangerNow.choices,
        widget=forms.RadioSelect,
    )
    who_involved = forms.CharField(
        label=_("Who is involved? (optional)"), max_length=DETAIL_MAX_LENGTH, required=False
    )
    location = forms.CharField(
        label=_("Where? (optional)"), max_length=DETAIL_MAX_LENGTH, required=False
    )
    when_happened = forms.CharField(
        label=_("When? (optional)"), max_length=DETAIL_MAX_LENGTH, required=False
    )
    files = AttachmentsField(
        label=_("Photos or PDF files (optional)"),
        help_text=_("Up to 5 files, 10 MB each, cleaned of location and camera details."),
    )
    may_contact = forms.BooleanField(
        label=_("The reporter may be contacted"),
        required=False,
        help_text=_("Leave unticked for an anonymous reporter: nothing about them is kept."),
    )
    contact_details = forms.CharField(
        label=_("How to contact them"),
        max_length=DETAIL_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept encrypted, only when the reporter may be contacted."),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools

    def clean(self):
        data = super().clean()
        if data.get("may_contact") and not (data.get("contact_details") or "").strip():
            self.add_error("contact_details", ERROR_CONTACT_MISSING)
        return data
