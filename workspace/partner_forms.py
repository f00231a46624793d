"""Forms of the partner pages (the code, the note back) and of sharing a case with one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import PartnerAgency, PartnerContact, PartnerKind
from cases.services.shares import DEFAULT_HOURS, NOTE_MAX_LENGTH


class PartnerCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your one-time code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class PartnerNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Add a note for the school"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


EXPIRY_CHOICES = [
    (24, _("24 hours")),
    (72, _("72 hours")),
    (168, _("7 days")),
]


class ShareForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=_("Share with"), queryset=PartnerContact.objects.none(), empty_label=None
    )
    with_attachments = forms.BooleanField(label=_("Include the files"), required=False)
    with_messages = forms.BooleanField(
        label=_("Include the messages with the tipster"), required=False
    )
    hours = forms.TypedChoiceField(
        label=_("Access ends after"), choices=EXPIRY_CHOICES, coerce=int, initial=DEFAULT_HOURS
    )

    def __init__(self, *args, contacts, **kwargs):
        kwargs.setdefault("prefix", "share")
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts
        self.fields["contact"].label_from_instance = lambda contact: (
            f"{contact.agency.name} ({contact.agency.get_kind_display()}): {contact.name}"
        )


class PartnerAgencyForm(forms.ModelForm):
    district = forms.ModelChoiceField(label=_("District"), queryset=None, empty_label=None)

    class Meta:
        model = PartnerAgency
        fields = ["name", "kind"]
        labels = {"name": _("Agency name"), "kind": _("Kind")}

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PartnerKind.choices
        self.fields["district"].queryset = districts
        self.only_district = districts.first() if districts.count() == 1 else None
        if self.only_district is not None:  # the usual case: nothing to choose
            del self.fields["district"]

    def chosen_district(self):
        return self.only_district or self.cleaned_data["district"]


class PartnerContactForm(forms.ModelForm):
    class Meta:
        model = PartnerContact
        fields = ["name", "email", "phone_number"]
        labels = {
            "name": _("Name"),
            "email": _("Email"),
            "phone_number": _("Mobile number (for SMS, if no email)"),
        }

    def clean_phone_number(self):
        number = self.cleaned_data["phone_number"].replace(" ", "").replace("-", "")
        if number and not (
            number.startswith("+") and number[1:].isdigit() and 8 <= len(number) <= 16
        ):
            raise forms.ValidationError(
                _("Write the number with its country code, like +13035550100.")
            )
        return number

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone_number"):
            raise forms.ValidationError(_("Give an email address or a mobile number."))
        return data
