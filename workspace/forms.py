"""Forms of the counselor workspace: queue filters and every action on a case.

Every form that edits a case carries the Case.version the page showed, so the service can
refuse a stale edit ("someone else changed this case") instead of overwriting it.
"""

from __future__ import annotations

from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Layout
from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.kept import Kept
from cases.models import CaseStatus, Category, Channel, Outcome, Priority
from cases.services.workflow import ALLOWED_MOVES, FINISHED, SUMMARY_MAX_LENGTH
from tipline.models import Reporter
from workspace.selectors import QueueFilters
from workspace.widgets import FilterSearchInput, FilterSelect

REASON_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 5000
REPLY_MAX_LENGTH = 5000


_FIELDS_HTML: Kept = Kept(512)


@dataclass(frozen=True)
class KeptQueueFilters:
    """A queue filter form's answers, kept (QueueFilterForm.kept)."""

    _filters: QueueFilters
    _fields_html: str

    def filters(self) -> QueueFilters:
        return self._filters

    def fields_html(self) -> str:
        return self._fields_html


_KEPT_FILTERS: Kept = Kept(512)


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=FilterSearchInput(
            attrs={"type": "search", "placeholder": _("Reference, tag or text")}
        ),
    )
    school = forms.TypedChoiceField(
        label=_("School"), required=False, coerce=int, empty_value=None, widget=FilterSelect
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *CaseStatus.choices],
        widget=FilterSelect,
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *Priority.choices],
        widget=FilterSelect,
    )
    tag = forms.ChoiceField(
        label=_("Tag"),
        required=False,
        choices=[("", _("Any")), *Category.choices],
        widget=FilterSelect,
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Any")), *Channel.choices],
        widget=FilterSelect,
    )
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None, widget=FilterSelect
    )

    def __init__(self, *args, schools, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", _("All my schools"))] + [
            (school.id, school.name) for school in schools
        ]
        # `staff`: (id, name) pairs (workspace.selectors.staff_choices_in).
        self.fields["assignee"].choices = [("", _("Anyone")), (0, _("Nobody")), *staff]
        # The widgets draw in Python (workspace.widgets): this form is drawn on every refresh.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.fields["q"].widget.attrs["class"] = "form-control form-control-sm"

    def fields_html(self) -> str:
        """Every filter with its label, as the page's loop over the form drew them. The same
        markup is kept per process for the same language, schools, staff and chosen values
        (the form is drawn on every refresh, mostly unchanged), never when a search text is
        typed (that text stays out of any memory); it holds labels, school and staff names."""
        if not (self.data.get("q") or "").strip():
            key = (
                get_language(),
                tuple(self.fields["school"].choices),
                tuple(self.fields["assignee"].choices),
                tuple(self.data.get(name) for name in self.fields),
            )
            return _FIELDS_HTML.keep(key, self._draw_fields)
        return self._draw_fields()

    def _draw_fields(self) -> str:
        parts = []
        for field in self:
            width = "col-12 col-md-4" if field.name == "q" else "col-6 col-md-2 col-xl"
            parts.append(
                format_html(
                    '\n  <div class="{}">\n    <label class="form-label small mb-0" for="{}">'
                    "{}</label>\n    {}\n  </div>\n  ",
                    width,
                    field.id_for_label,
                    field.label,
                    field,
                )
            )
        return mark_safe("".join(parts))  # noqa: S308 - each part from format_html

    @classmethod
    def kept(cls, data, *, schools, staff) -> QueueFilterForm | KeptQueueFilters:
        """The filters and their markup for this request: without search text, kept per
        process for the same language, schools, staff and chosen values (a refresh of the
        queue builds no form: its fields' deep copies and validation cost more than the
        markup), else a form built here. Both answer `filters()` and `fields_html()` alike
        (tests/workspace/test_filter_widgets.py). What is kept holds labels, school and staff
        names and the chosen values, never a search text."""
        if (data.get("q") or "").strip():
            return cls(data, schools=schools, staff=staff)
        key = (
            get_language(),
            tuple((school.id, school.name) for school in schools),
            tuple(staff),
            tuple(data.get(name) for name in cls.base_fields),
        )

        def read() -> KeptQueueFilters:
            form = cls(data, schools=schools, staff=staff)
            return KeptQueueFilters(form.filters(), form.fields_html())

        return _KEPT_FILTERS.keep(key, read)

    def filters(self) -> QueueFilters:
        """The valid filters (an invalid one is ignored, not an error page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(
            school=data.get("school"),
            status=data.get("status") or "",
            priority=data.get("priority"),
            tag=data.get("tag") or "",
            channel=data.get("channel") or "",
            assignee=data.get("assignee"),
            query=data.get("q") or "",
        )


class WorkspaceForm(forms.Form):
    """Many forms share the case page: each gets its own element ids (labels stay unique)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)


class VersionedForm(WorkspaceForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StatusForm(VersionedForm):
    """Triage / start / send back: only the open statuses the lifecycle allows from here."""

    status = forms.ChoiceField(label=_("Move to"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_MOVES.get(case.status, frozenset()) - FINISHED
        self.fields["status"].choices = [
            (value, label) for value, label in CaseStatus.choices if value in allowed
        ]


class ResolveForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices])
    summary = forms.CharField(
        label=_("Summary of what was done"),
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff only; never shown to the tipster."),
    )
    close = forms.BooleanField(label=_("Close the case now too"), required=False)


class CloseForm(VersionedForm):
    """Close a resolved case (its outcome is already recorded)."""


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why reopen?"), max_length=REASON_MAX_LENGTH, widget=forms.TextInput
    )


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff
        self.fields["assignee"].label_from_instance = lambda user: (
            user.get_full_name() or user.email
        )


class PriorityForm(VersionedForm):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    reason = forms.CharField(label=_("Why?"), max_length=200)


class TagsForm(VersionedForm):
    categories = forms.MultipleChoiceField(
        label=_("Tags"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )


class NoteForm(WorkspaceForm):
    body = forms.CharField(
        label=_("Internal note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff only. The tipster never sees internal notes."),
    )


class ReferenceForm(VersionedForm):
    """Merge or link: the other case, by its reference (looked up within the user's scope)."""

    reference = forms.CharField(label=_("Case reference"), max_length=12)

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().lstrip("#").upper()


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
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The tipster reads this. Internal notes belong elsewhere."),
    )

    def __init__(self, *args, reporters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter"].queryset = reporters
        self.fields["reporter"].label_from_instance = _reporter_label
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("reporter"),
            Field("body"),
            HTML(
                format_html(
                    '<button type="submit" class="btn btn-primary btn-lg">{}</button>',
                    _("Send reply"),
                )
            ),
        )
