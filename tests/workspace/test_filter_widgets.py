"""The queue's filters are drawn in Python (workspace/widgets.py) instead of Django's widget
templates (the selects went through workspace/widgets/select.html before): the markup must be
the same, character for character, with every value, label and attribute escaped, in English
and Spanish, whatever is selected."""

import pytest
from django import forms
from django.utils import translation

from workspace.forms import QueueFilterForm
from workspace.widgets import FilterSearchInput, FilterSelect

HOSTILE = '"><script>alert(1)</script>&amp;'


def _template_select(attrs, choices) -> forms.Select:
    # What the queue drew before: Django's Select through the one-loop template.
    select = forms.Select(attrs=attrs, choices=choices)
    select.template_name = "workspace/widgets/select.html"
    return select


def _django_select(widget: FilterSelect, name, value, attrs=None) -> str:
    return _template_select(widget.attrs, widget.choices).render(name, value, attrs)


@pytest.mark.parametrize("value", [None, "", "2", 2, ["2"], "nope", "0"])
def test_it_draws_a_select_exactly_as_django_does(value):
    widget = FilterSelect(
        attrs={"class": "form-select", "data-x": HOSTILE, "disabled": True, "hidden": False},
        choices=[("", "Any"), (0, "Nobody"), (2, HOSTILE), ("2", "twice"), (None, "none")],
    )
    ours = widget.render("who", value, {"id": "id_who", "required": True})
    assert ours == _django_select(widget, "who", value, {"id": "id_who", "required": True})
    assert "<script>" not in ours


def test_it_selects_only_the_first_matching_option_as_django_does():
    widget = FilterSelect(choices=[("a", "A"), ("a", "again")])
    assert widget.render("x", "a").count(" selected") == 1
    assert widget.render("x", "a") == _django_select(widget, "x", "a")


def test_it_leaves_grouped_choices_to_django():
    widget = FilterSelect(choices=[("Group", [("a", "A"), ("b", "B")]), ("c", "C")])
    assert "<optgroup" in widget.render("x", "b")


@pytest.mark.parametrize("value", [None, "", "Lincoln", HOSTILE])
def test_it_draws_a_search_box_exactly_as_django_does(value):
    attrs = {"type": "search", "placeholder": HOSTILE, "class": "form-control"}
    ours = FilterSearchInput(attrs=attrs).render("q", value, {"id": "id_q", "maxlength": 100})
    theirs = forms.TextInput(attrs=attrs).render("q", value, {"id": "id_q", "maxlength": 100})
    assert ours == theirs
    assert "<script>" not in ours


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_queue_filter_form_reads_as_with_djangos_widgets(language, personas):
    data = {"q": HOSTILE, "status": "new", "priority": "1", "tag": "weapon", "assignee": "0"}

    def draw(swap: bool) -> list[str]:
        form = QueueFilterForm(data, schools=[personas.school_a], staff=[(7, HOSTILE)])
        for field in form.fields.values():
            if swap and isinstance(field.widget, FilterSelect):
                field.widget = _template_select(field.widget.attrs, field.choices)
            elif swap:
                field.widget = forms.TextInput(attrs={**field.widget.attrs, "type": "search"})
        return [str(bound) for bound in form]

    with translation.override(language):
        ours, django = draw(swap=False), draw(swap=True)
    assert ours == django
    assert any(" selected>" in html for html in ours)
    if language == "es":
        assert any("Cualquiera" in html or "Nadie" in html for html in ours)


def test_the_kept_filter_markup_is_what_a_fresh_drawing_gives(personas):
    from workspace import forms as workspace_forms

    workspace_forms._FIELDS_HTML.clear()
    schools, staff = [personas.school_a], [(7, "Alice Counselor")]
    data = {"status": "new", "school": "nope", "assignee": "0"}
    first = QueueFilterForm(data, schools=schools, staff=staff).fields_html()
    assert len(workspace_forms._FIELDS_HTML) == 1
    again = QueueFilterForm(data, schools=schools, staff=staff).fields_html()
    assert again == first and 'aria-invalid="true"' in first  # "nope" is no school
    other = QueueFilterForm({"status": "closed"}, schools=schools, staff=staff).fields_html()
    assert '<option value="closed" selected>' in other and other != first
    with translation.override("es"):
        spanish = QueueFilterForm(data, schools=schools, staff=staff).fields_html()
    assert "Cualquiera" in spanish and spanish != first
    renamed = QueueFilterForm(data, schools=schools, staff=[(7, "Alice Cole")]).fields_html()
    assert "Alice Cole" in renamed


def test_a_search_text_is_never_kept(personas):
    from workspace import forms as workspace_forms

    workspace_forms._FIELDS_HTML.clear()
    form = QueueFilterForm({"q": "knife behind the gym"}, schools=[], staff=[])
    assert 'value="knife behind the gym"' in form.fields_html()
    assert workspace_forms._FIELDS_HTML == {}


KEPT_DATA = [
    {},
    {"status": "new"},
    {"status": "new", "school": "nope", "assignee": "0"},
    {"priority": "1", "tag": "weapon", "channel": "sms"},
    {"priority": "x", "tag": "no-such-tag", "assignee": "7"},
    {"assignee": "8"},  # not one of the staff offered
    {"q": "   ", "status": "closed"},  # blank search: no search
    "status=new&status=closed&queue=mine",  # a repeated field: the last one, as forms read it
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_kept_filters_answer_as_a_fresh_form(personas, language):
    from django.http import QueryDict

    from workspace import forms as workspace_forms

    workspace_forms._KEPT_FILTERS.clear()
    schools, staff = [personas.school_a, personas.school_b], [(7, "Alice <Counselor>")]
    with translation.override(language):
        for data in KEPT_DATA:
            data = QueryDict(data) if isinstance(data, str) else data
            fresh = QueueFilterForm(data, schools=schools, staff=staff)
            first = QueueFilterForm.kept(data, schools=schools, staff=staff)
            kept = QueueFilterForm.kept(data, schools=schools, staff=staff)
            assert kept is first and isinstance(kept, workspace_forms.KeptQueueFilters)
            assert kept.filters() == fresh.filters(), data
            assert kept.fields_html() == fresh.fields_html(), data
    assert len(workspace_forms._KEPT_FILTERS) == len(KEPT_DATA)
    # Another school name, another staff list: another entry, the new names drawn.
    renamed = QueueFilterForm.kept({}, schools=schools, staff=[(7, "Alice Cole")])
    assert "Alice Cole" in renamed.fields_html()


def test_a_search_is_never_kept_and_gets_a_form(personas):
    from workspace import forms as workspace_forms

    workspace_forms._KEPT_FILTERS.clear()
    found = QueueFilterForm.kept({"q": "knife behind the gym"}, schools=[], staff=[])
    assert isinstance(found, QueueFilterForm)
    assert found.filters().query == "knife behind the gym"
    assert workspace_forms._KEPT_FILTERS == {}
