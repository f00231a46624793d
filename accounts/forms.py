from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .language import in_language_of, language_infos
from .two_factor import recovery_code_is_well_formed

ERROR_CODE_SHAPE = _(
    "Enter the six digits from your authenticator app, or one of your recovery codes."
)


class StaffLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


def _sign_in_code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


def _clean_sign_in_code(value: str) -> str:
    code = value.replace(" ", "").replace("-", "").lower()
    if code.isdigit() and 6 <= len(code) <= 8:
        return code
    if recovery_code_is_well_formed(code):
        return code
    raise forms.ValidationError(ERROR_CODE_SHAPE)


class StaffLoginWithCodeForm(StaffLoginForm):
    """Email, password and a second-factor code in one step: the way in while password-only
    sign-in to the account is locked (accounts.lockout). One error for every mismatch, so the
    page never tells whether the password alone was right."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email, password and code do not match."),
    }
    token = _sign_in_code_field()

    def clean_token(self) -> str:
        return _clean_sign_in_code(self.cleaned_data["token"])


class OneTimeCodeForm(forms.Form):
    """A code from the authenticator app being set up (digits only)."""

    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("The code is made of digits only."))
        return token


class AuthenticatorSetupForm(OneTimeCodeForm):
    keep_existing = forms.BooleanField(
        label=_("Keep my current authenticator app too (otherwise it stops working)"),
        required=False,
    )

    def __init__(self, *args, replacing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not replacing:
            del self.fields["keep_existing"]


class SignInCodeForm(forms.Form):
    """The second step of signing in: a code from the app, or a recovery code."""

    token = _sign_in_code_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_token(self) -> str:
        return _clean_sign_in_code(self.cleaned_data["token"])


class LanguagePreferenceForm(forms.Form):
    """The staff member's own language (User.language); blank follows the browser."""

    language = forms.ChoiceField(
        label=_("Language of your pages, emails and text messages"),
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("Whatever my browser or the language switcher says")),
            *[(info["code"], capfirst(info["name_local"])) for info in language_infos()],
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form; the email goes out in the account owner's language."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with in_language_of(context["user"]):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
