"""Crispy forms of the public tip line and the minimal staff side."""

from __future__ import annotations

import re
import secrets

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import attachments
from .models import Category, Channel, DangerNow, Reporter

BODY_MAX_LENGTH = 5000
DETAIL_MAX_LENGTH = 500
HONEYPOT_FIELD = "leave_empty"
TOKEN_FIELD = "submission_token"  # noqa: S105 (a field name)
# secrets.token_urlsafe(32) gives 43 characters; anything else is not one of ours.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def submission_token_new() -> str:
    """The random one-time token a public form carries (256 bits)."""
    return secrets.token_urlsafe(32)


class SubmissionTokenForm(forms.Form):
    """A public form with a hidden one-time token, so the same form posted twice is stored
    once (tipline.services.submissions). A missing or malformed token (a page from before
    tokens, a hand-made post) gets a fresh one: the post is stored, it just cannot be
    recognised if it comes again. Nothing is ever refused for it."""

    # A text input with the hidden attribute, rendered by the templates outside the crispy
    # layout: browsers restore a text input on Back (public.js makes sure), never a
    # type="hidden" one. No autocomplete="off", which would stop that.
    submission_token = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"hidden": True, "tabindex": "-1", "aria-hidden": "true"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial[TOKEN_FIELD] = submission_token_new()

    def clean_submission_token(self) -> str:
        value = self.cleaned_data.get(TOKEN_FIELD) or ""
        return value if TOKEN_PATTERN.fullmatch(value) else submission_token_new()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to 5 files, each checked by content and cleaned (tipline.attachments), their
    pictures decoded within one pixel budget for the whole form."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,image/gif,image/webp,.pdf")

    def clean(self, data, initial=None):
        files = [item for item in (data or []) if item]
        if len(files) > attachments.MAX_FILES:
            raise ValidationError(attachments.ERROR_TOO_MANY, code="too_many")
        cleaned, errors = [], []
        budget = attachments.PixelBudget()
        for upload in files:
            try:
                cleaned.append(attachments.upload_clean(upload, budget=budget))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _helper(*fields, submit_label) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(
        *fields,
        HTML(
            format_html(
                '<button type="submit" class="btn btn-primary btn-lg">{}</button>', submit_label
            )
        ),
    )
    return helper


class TipForm(SubmissionTokenForm):
    body = forms.CharField(
        label=_("What is happening?"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Tell us what you know, in your own words. Up to 5,000 characters."),
    )
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[("", _("Choose one")), *Category.choices],
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
        help_text=_(
            "Up to 5 files, 10 MB each. We remove location and camera details from photos. "
            "Of a PDF file we keep only its pages: links, forms, scripts, attached files and "
            "its properties, such as the author's name, are removed."
        ),
    )
    contact_details = forms.CharField(
        label=_("How can we reach you? (optional)"),
        max_length=DETAIL_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Leave this empty to stay anonymous: we will not know who you are. If you want a "
            "counselor to contact you, write your name and how to reach you."
        ),
    )
    # Hidden from people (off-screen, out of the tab order); bots fill every field.
    leave_empty = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field("body"),
            Field("category"),
            Field("danger_now"),
            Field("who_involved"),
            Field("location"),
            Field("when_happened"),
            Field("files"),
            Field("contact_details"),
            Div(HONEYPOT_FIELD, css_class="hp-field", aria_hidden="true"),
            submit_label=_("Send my tip"),
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


class ReceiptCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code"),
        max_length=40,
        help_text=_("It looks like K7QF-2M9X-PA4T-8WNZ. Capital or small letters both work."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("code"), submit_label=_("Open my tip"))


class FollowupReplyForm(SubmissionTokenForm):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = AttachmentsField(
        label=_("Photos or PDF files (optional)"),
        help_text=_("Up to 5 files, 10 MB each. We remove location and camera details."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("body"), Field("files"), submit_label=_("Send my answer"))


def _reporter_label(reporter: Reporter) -> str:
    if reporter.channel == Channel.SMS and reporter.opted_out_at:
        return _("%(alias)s (opted out of texts: cannot be sent)") % {"alias": reporter.alias}
    return reporter.alias


class StaffReplyForm(forms.Form):
    reporter = forms.ModelChoiceField(
        label=_("To"), queryset=Reporter.objects.none(), empty_label=None
    )
    body = forms.CharField(
        label=_("Message to the tipster"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The tipster reads this. Internal notes belong elsewhere."),
    )

    def __init__(self, *args, reporters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter"].queryset = reporters
        self.fields["reporter"].label_from_instance = _reporter_label
        self.helper = _helper(Field("reporter"), Field("body"), submit_label=_("Send reply"))
