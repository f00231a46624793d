"""The feed's filters (workspace/alert_forms.py): the controls are drawn in Python with the
markup of Django's widgets, and what a query string gives (the filters and the controls) is
kept per language, choices and field values. A kept answer must be the one a fresh form
gives, and follow every input it depends on."""

import pytest
from django import forms
from django.http import QueryDict
from django.utils import translation
from django.utils.html import conditional_escape

from alerts.selectors import FeedFilters
from workspace import alert_forms
from workspace.alert_forms import FeedFilterForm, feed_filters

HOSTILE = '"><script>alert(1)</script>&amp;'
SCHOOLS = [(1, "Lincoln High"), (2, HOSTILE)]
SOURCES = [(5, "Monitor"), (6, "News & <feed>")]
QUERIES = [
    "",
    "status=any",
    "status=dismissed&school=2&category=weapons&severity=critical&source=6",
    "since=2026-01-15&until=2026-01-16",
    "status=escalated&page=4",
    "since=15/01/2026&until=not-a-date",
    "school=3&source=nope&severity=" + HOSTILE,
]


def _fresh(data, schools=SCHOOLS, sources=SOURCES):
    form = FeedFilterForm(data, schools=schools, sources=sources)
    return form.filters(), form.controls_html()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_kept_filters_and_controls_are_a_fresh_forms(language):
    alert_forms._KEPT.clear()
    with translation.override(language):
        for query in QUERIES:
            data = QueryDict(query)
            fresh = _fresh(data)
            assert feed_filters(data, schools=SCHOOLS, sources=SOURCES) == fresh  # drawn
            assert feed_filters(data, schools=SCHOOLS, sources=SOURCES) == fresh  # kept
            assert "<script>" not in fresh[1]
    assert len(alert_forms._KEPT) == len(QUERIES)


def test_what_is_kept_follows_the_language_the_choices_and_the_values():
    alert_forms._KEPT.clear()
    data = QueryDict("school=2&status=dismissed")
    english = feed_filters(data, schools=SCHOOLS, sources=SOURCES)
    with translation.override("es"):
        spanish = feed_filters(data, schools=SCHOOLS, sources=SOURCES)
        assert spanish == _fresh(data)
    assert spanish[1] != english[1] and "Todas las fuentes" in spanish[1]
    renamed_schools = [(1, "Lincoln High"), (2, "Roosevelt")]
    renamed = feed_filters(data, schools=renamed_schools, sources=SOURCES)
    assert "Roosevelt" in renamed[1] and renamed == _fresh(data, schools=renamed_schools)
    narrower = feed_filters(data, schools=SCHOOLS[:1], sources=SOURCES)
    assert narrower[0].school is None and english[0].school == 2  # out of scope: ignored
    other = feed_filters(QueryDict("school=1"), schools=SCHOOLS, sources=SOURCES)
    assert other[0] == FeedFilters(school=1, status="new")


def test_a_long_value_is_read_not_kept():
    alert_forms._KEPT.clear()
    data = QueryDict("since=" + "9" * 200)
    assert feed_filters(data, schools=SCHOOLS, sources=SOURCES) == _fresh(data)
    assert alert_forms._KEPT == {}


def _django_widget(field) -> forms.Widget:
    if isinstance(field.widget, forms.Select):
        widget = forms.Select(attrs=field.widget.attrs, choices=field.choices)
        widget.template_name = "workspace/widgets/select.html"
        return widget
    return forms.DateInput(attrs={**field.widget.attrs, "type": field.widget.input_type})


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("query", QUERIES[:5])  # the valid ones
def test_the_controls_are_djangos_widgets(language, query):
    """For valid values. (An invalid value is ignored by the feed, and its control is not
    marked: Django's widgets would add aria-invalid and aria-describedby to it.)"""
    with translation.override(language):
        form = FeedFilterForm(QueryDict(query), schools=SCHOOLS, sources=SOURCES)
        ours = form.controls_html()
        for field in form.fields.values():
            field.widget = _django_widget(field)
        theirs = "".join(
            '\n  <div class="col-6 col-md-auto">\n'
            f'    <label class="form-label small mb-0" for="{bound.id_for_label}">'
            f"{conditional_escape(bound.label)}</label>\n    {bound}\n  </div>"
            for bound in form
        )
    assert ours == theirs
