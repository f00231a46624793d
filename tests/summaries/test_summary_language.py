"""The summaries in the reader's language: every title, heading, row label and note of the
school summary, the district summary and the annual report is in the Spanish catalogue, and
a Spanish-reading principal sees them in Spanish, while the CSV downloads keep English."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from summaries.build import annual_report, district_summary, school_summary
from summaries.periods import Period, month_period
from summaries.suppression import DAY
from tests.config.test_translations_complete import po_entries

from .datasets import march_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A request activates its language in this thread and leaves it there: later tests
    start from the site's default again."""
    yield
    translation.deactivate()


MARCH = month_period(date(2025, 3, 1))


@pytest.fixture
def dataset(personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 0
    return march_dataset(personas.school_a, personas.school_b)


def _words(summary, schools) -> set[str]:
    """The English words a summary's tables carry (not school names, periods or figures)."""
    names = {school.name for school in schools}
    periods = {MARCH.label, MARCH.previous().label, summary.period.label}
    periods.add(summary.period.previous().label)
    words = set()
    for table in summary.tables:
        words.add(str(table.title))
        if table.note:
            words.add(str(table.note))
        words |= {str(column) for column in table.columns}
        for row in [*table.rows, *table.footer]:
            if row[0].kind != DAY:  # a trend's date: month names by Django's own catalogue
                words.add(str(row[0].display))
            words |= {str(cell.display) for cell in row if cell.suppressed}
    return {w for w in words - names - periods if any(c.isalpha() for c in w)}


def test_it_has_spanish_for_every_word_of_every_summary_table(dataset, personas):
    catalogue = {e["msgid"] for e in po_entries() if e["msgstr"] and all(e["msgstr"])}
    school, other = personas.school_a, personas.school_b
    district = school.district
    year = Period("school_year", date(2024, 7, 1), date(2025, 6, 30))
    with translation.override("en"):  # the builders' own words, before the page's lookup
        words = _words(school_summary(school=school, period=MARCH), [school])
        words |= _words(district_summary(district=district, period=MARCH), [school, other])
        words |= _words(annual_report(district=district, period=year), [school, other])
    assert {"At a glance", "Schools side by side", "Tips by school", "Under 1 day"} <= words
    assert sorted(words - catalogue) == []


def test_it_shows_a_spanish_reading_principal_the_summary_in_spanish(dataset, personas, client_for):
    User.objects.filter(id=personas.principal_a.id).update(language="es")
    personas.principal_a.refresh_from_db()
    client = client_for(personas.principal_a)
    url = reverse("summaries:school", args=[personas.school_a.pk]) + "?period=2025-03"
    html = client.get(url).content.decode()
    assert "De un vistazo" in html and "Variación" in html and "Tiempos de respuesta" in html
    assert "At a glance" not in html and "Response times" not in html
    csv = client.get(
        reverse("summaries:school_csv", args=[personas.school_a.pk, "overview"]) + "?period=2025-03"
    )
    assert csv.status_code == 200
    assert "Figure" in b"".join(csv.streaming_content).decode()
    cases = client.get(
        reverse("summaries:school_case_list", args=[personas.school_a.pk]) + "?period=2025-03"
    )
    text = b"".join(cases.streaming_content).decode()
    assert "Suicide or self-harm" in text and "Suicidio" not in text


def test_it_says_why_a_period_is_refused_in_the_readers_language(personas, client_for):
    User.objects.filter(id=personas.principal_a.id).update(language="es")
    personas.principal_a.refresh_from_db()
    url = reverse("summaries:school", args=[personas.school_a.pk]) + "?period=2999-01"
    html = client_for(personas.principal_a).get(url).content.decode()
    assert "Ese período todavía no ha empezado" in html


@pytest.mark.parametrize(
    "period, english, spanish",
    [
        (MARCH, "March 2025", "marzo 2025"),
        (Period("week", date(2025, 3, 3), date(2025, 3, 9)), "Week of 3 Mar 2025", "Semana del 3"),
        (Period("quarter", date(2025, 1, 1), date(2025, 3, 31)), "Q1 2025", "T1 2025"),
        (
            Period("school_year", date(2024, 7, 1), date(2025, 6, 30)),
            "School year 2024-25",
            "Año escolar 2024-25",
        ),
    ],
)
def test_it_names_periods_in_the_readers_language(period, english, spanish):
    with translation.override("en"):
        assert period.label == english
    with translation.override("es"):
        assert period.label.startswith(spanish)
