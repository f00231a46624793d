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
    """The feed's filters. Schools and sources are the user's own, given as (id, name) choices
    (alerts.selectors.feed_filter_choices, one query for both): a value outside them is
    invalid, and an invalid value is ignored, never widening the scope."""

    school = forms.TypedChoiceField(label=_("School"), coerce=int, required=False, empty_value=None)
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
    source = forms.TypedChoiceField(label=_("Source"), coerce=int, required=False, empty_value=None)
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
        self.fields["school"].choices = [("", _("All schools")), *schools]
        self.fields["source"].choices = [("", _("All sources")), *sources]
        # The page draws these controls itself (alerts_tags.feed_filter_controls).
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        for name in ("since", "until"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"

    def filters(self) -> FeedFilters:
        """Valid fields only: an invalid value is ignored rather than widening the scope."""
        self.is_valid()
        cleaned = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        status = cleaned.get("status") or AlertStatus.NEW
        return FeedFilters(
            school=cleaned.get("school"),
            category=cleaned.get("category") or "",
            severity=cleaned.get("severity") or "",
            status="" if status == ANY_STATUS else status,
            source=cleaned.get("source"),
            since=cleaned.get("since"),
            until=cleaned.get("until"),
        )


class DismissForm(forms.Form):
    reason = forms.ChoiceField(choices=DismissalReason.choices)
