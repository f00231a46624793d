"""Forms of the alert feed: the filters, and the dismissal reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import AlertStatus, DismissalReason, Severity
from alerts.selectors import FeedFilters

CATEGORY_CHOICES = [
    ("violence", _("Violence")),
    ("weapons", _("Weapons")),
    ("self_harm", _("Self-harm")),
    ("bullying", _("Bullying")),
]
ANY_STATUS = "any"


class FeedFilterForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"), queryset=None, required=False, empty_label=_("All schools")
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *CATEGORY_CHOICES], required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("Any severity")), *Severity.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[*AlertStatus.choices, (ANY_STATUS, _("Any status"))],
        required=False,
    )
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=None, required=False, empty_label=_("All sources")
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, schools, sources):
        data = data.copy()
        # The feed opens on what needs work: new alerts, unless another status is asked for.
        data.setdefault("status", AlertStatus.NEW)
        super().__init__(data)
        self.fields["school"].queryset = schools
        self.fields["source"].queryset = sources
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
            if isinstance(field.widget, forms.Select):
                # One loop instead of a template per option (workspace/forms.py does the same).
                field.widget.template_name = "workspace/widgets/select.html"
        for name in ("since", "until"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"

    def filters(self) -> FeedFilters:
        """Valid fields only: an invalid value is ignored rather than widening the scope."""
        self.is_valid()
        cleaned = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        status = cleaned.get("status") or AlertStatus.NEW
        return FeedFilters(
            school=cleaned["school"].id if cleaned.get("school") else None,
            category=cleaned.get("category") or "",
            severity=cleaned.get("severity") or "",
            status="" if status == ANY_STATUS else status,
            source=cleaned["source"].id if cleaned.get("source") else None,
            since=cleaned.get("since"),
            until=cleaned.get("until"),
        )


class DismissForm(forms.Form):
    reason = forms.ChoiceField(choices=DismissalReason.choices)
