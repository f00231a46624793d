"""Forms of the alert feed: the filters, and the dismissal reason."""

from html import escape

from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.kept import Kept
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
        # The page draws these controls itself (controls_html).
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

    def controls_html(self) -> SafeString:
        """The filter controls, each with its label, drawn here (the same markup as the
        form's widgets: selects as workspace/widgets/select.html draws them, dates as
        Django's input widget; tests/workspace/test_feed_filters.py compares them): seven
        widgets through the template engine were a fifth of the feed's time. Every value and
        label is escaped where it is placed."""
        drawn = []
        for field in self:
            widget = field.field.widget
            attrs = f'class="{escape(widget.attrs.get("class", ""))}" id="{escape(field.auto_id)}"'
            name = escape(field.html_name)
            value = field.value()
            if isinstance(widget, forms.Select):
                chosen = "" if value is None else str(value)
                options = "".join(
                    f'<option value="{escape(str(option))}"'
                    + (" selected" if str(option) == chosen else "")
                    + f">{escape(str(label))}</option>"
                    for option, label in field.field.choices
                )
                control = f'<select name="{name}" {attrs}>{options}</select>'
            else:
                shown = widget.format_value(value)
                value_attr = "" if shown is None else f' value="{escape(str(shown))}"'
                control = (
                    f'<input type="{escape(widget.input_type)}" name="{name}"{value_attr} {attrs}>'
                )
            drawn.append(
                '\n  <div class="col-6 col-md-auto">\n'
                f'    <label class="form-label small mb-0" for="{escape(field.id_for_label)}">'
                f"{escape(str(field.label))}</label>\n    {control}\n  </div>"
            )
        return mark_safe("".join(drawn))  # noqa: S308 - every text above was escaped


# What a query string's filters give (FeedFilters and the controls showing them), kept per
# (language, school and source choices, each filter field's value) for the process.
_KEPT: Kept = Kept(512)
_KEPT_VALUE_LENGTH = 40  # longer values (no real filter's) are read, not kept


def feed_filters(data, *, schools, sources) -> tuple[FeedFilters, SafeString]:
    """The filters `data` (a query string, or a bulk dismissal's form) asks for, and the
    filter controls showing them: FeedFilterForm's filters() and controls_html(), kept for
    the process per reader's language, school and source choices (ids and names: no post
    text) and value of each filter field, which is all a form reads of `data`. A refresh of
    the feed then builds no form (its fields deep-copied, seven fields cleaned and drawn)."""

    def read() -> tuple[FeedFilters, SafeString]:
        form = FeedFilterForm(data, schools=schools, sources=sources)
        return form.filters(), form.controls_html()

    values = tuple(data.get(name) for name in FeedFilterForm.base_fields)
    if all(
        value is None or (isinstance(value, str) and len(value) <= _KEPT_VALUE_LENGTH)
        for value in values
    ):
        return _KEPT.keep((get_language(), tuple(schools), tuple(sources), values), read)
    return read()


class DismissForm(forms.Form):
    reason = forms.ChoiceField(choices=DismissalReason.choices)
