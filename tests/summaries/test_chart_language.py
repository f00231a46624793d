"""The charts, the trend tables' dates and the figures of a summary in the reader's language:
Spanish words, month names and digits ("1.234", "12,5%") inside every SVG chart and on the
page for a Spanish reader; the CSV downloads unchanged (English words, ISO dates, plain
numbers) whoever downloads them."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from summaries.build import annual_report, district_summary, school_summary
from summaries.charts import bar_chart, line_chart
from summaries.labels import TABLE_WORDS, say
from summaries.periods import Period, month_period
from summaries.suppression import (
    DURATION,
    RATE,
    Cell,
    count_cell,
    day_cell,
    duration_display,
)
from summaries.tables import change_cell

from .datasets import march_dataset

pytestmark = pytest.mark.django_db

MARCH = month_period(date(2025, 3, 1))
YEAR = Period("school_year", date(2024, 7, 1), date(2025, 6, 30))


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    yield
    translation.deactivate()


@pytest.fixture
def dataset(personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 0
    return march_dataset(personas.school_a, personas.school_b)


def _chart_texts(svg: str) -> list[str]:
    """What a chart says: its <title>, <desc> and every <text>."""
    return [unescape(t) for t in re.findall(r"<(?:text|title|desc)[^>]*>([^<]*)<", str(svg))]


def _english_words_with_their_own_spanish() -> set[str]:
    with translation.override("es"):
        return {str(w) for w in TABLE_WORDS if str(say(str(w))) != str(w)}


def _all_charts(personas):
    school = personas.school_a
    district = school.district
    summaries = [
        school_summary(school=school, period=MARCH),
        district_summary(district=district, period=MARCH),
        annual_report(district=district, period=YEAR),
    ]
    return [table.chart for summary in summaries for table in summary.tables if table.chart]


def test_every_chart_speaks_spanish_to_a_spanish_reader(dataset, personas):
    english = _english_words_with_their_own_spanish()
    with translation.override("es"):
        charts = _all_charts(personas)
    assert len(charts) >= 8
    said = " | ".join(text for chart in charts for text in _chart_texts(chart))
    # The titles, legends and labels in Spanish ...
    for spanish in ("Avisos por semana", "Avisos por mes", "Este período", "Período anterior"):
        assert spanish in said
    # ... and not one English word of a table left in a chart (as a whole label or phrase).
    left = sorted(
        word
        for word in english
        for text in said.split(" | ")
        if re.search(rf"(^|[;:,] ){re.escape(word)}($|[;:,])", text)
    )
    assert left == []


def test_the_trend_charts_name_months_in_the_readers_language(dataset, personas):
    for language, january, august in (
        ("en", "Jan 2025", "Aug 2024"),
        ("es", "Ene 2025", "Ago 2024"),
    ):
        with translation.override(language):
            summary = school_summary(school=personas.school_a, period=MARCH)
            monthly = summary.table("monthly")
            texts = _chart_texts(monthly.chart)
            said = " ".join(texts)
            assert january in said and august in said, (language, texts)
            rows = [row[0].display for row in monthly.rows]
            assert f"1 {january}" in rows
    with translation.override("es"):
        weekly = school_summary(school=personas.school_a, period=MARCH).table("weekly")
    said = " ".join(_chart_texts(weekly.chart))
    assert " Ene" in said and " Jan" not in said
    assert all(re.fullmatch(r"\d{1,2} \w{3} \d{4}", row[0].display) for row in weekly.rows)


def test_a_chart_draws_figures_with_the_readers_digits():
    cells = [count_cell(1234, 0), count_cell(5, 0)]
    for language, top in (("en", "1,234"), ("es", "1.234")):
        with translation.override(language):
            line = line_chart(
                chart_id="c", title="Tips per month", labels=["a", "b"], series=[("Tips", cells)]
            )
            bars = bar_chart(chart_id="d", title="Tips", labels=["a", "b"], series=[("x", cells)])
        assert top in _chart_texts(line) and top in _chart_texts(bars)
    with translation.override("es"):
        assert "Avisos por mes" in _chart_texts(line)


@pytest.mark.parametrize(
    "cell, english, spanish",
    [
        (count_cell(1234, 0), "1,234", "1.234"),
        (count_cell(1234567, 0), "1,234,567", "1.234.567"),
        (Cell(0.125, RATE), "12.5%", "12,5%"),
        (Cell(1 / 6, RATE), "16.7%", "16,7%"),
        (Cell(timedelta(days=3, hours=12), DURATION), "3.5 days", "3,5 días"),
        (Cell(timedelta(hours=2, minutes=30), DURATION), "2.5 h", "2,5 h"),
        (day_cell(date(2025, 1, 6)), "6 Jan 2025", "6 Ene 2025"),
    ],
)
def test_figures_follow_the_readers_language_and_the_csv_does_not(cell, english, spanish):
    with translation.override("en"):
        assert cell.display == english
        csv = cell.csv
    with translation.override("es"):
        assert cell.display == spanish
        assert cell.csv == csv  # the CSV's form never depends on the language


def test_a_change_is_written_in_the_language_of_the_page_it_is_built_for():
    """Change cells are words built with the summary: the page builds it in the reader's
    language, the CSV view with English active."""
    for language, rate, count in (("en", "+12.5 pts", "-1,500"), ("es", "+12,5 p. p.", "-1.500")):
        with translation.override(language):
            assert change_cell(Cell(0.5, RATE), Cell(0.375, RATE)).display == rate
            assert change_cell(count_cell(1000, 0), count_cell(2500, 0)).display == count


def test_a_duration_is_worded_in_the_readers_language():
    with translation.override("es"):
        assert duration_display(timedelta(minutes=12)) == "12 min"
        assert duration_display(timedelta(days=10)) == "10,0 días"


def test_a_spanish_reader_gets_the_page_in_spanish_and_the_csv_in_english(
    dataset, personas, client_for
):
    User.objects.filter(id=personas.principal_a.id).update(language="es")
    personas.principal_a.refresh_from_db()
    client = client_for(personas.principal_a)
    school = personas.school_a.pk
    html = client.get(reverse("summaries:school", args=[school]) + "?period=2025-03").content
    html = html.decode()
    assert "1 Ene 2025" in html and "Ene 2025" in html  # the monthly table and its chart
    assert "Avisos por mes" in html and "Tips per month" not in html
    csv = client.get(reverse("summaries:school_csv", args=[school, "monthly"]) + "?period=2025-03")
    text = b"".join(csv.streaming_content).decode()
    assert "Month starting" in text and "2025-01-01" in text
    assert "Ene" not in text


def test_a_spanish_chart_keeps_its_drawing_numbers_machine_readable(dataset, personas):
    """Only the words and figures people read are localized: the coordinates and sizes the
    browser reads stay "12.5" (a "12,5" there would break the drawing)."""
    with translation.override("es"):
        charts = _all_charts(personas)
    attributes = re.compile(r'\s(?:x|y|x1|y1|x2|y2|cx|cy|r|width|height)="([^"]*)"')
    values = [value for chart in charts for value in attributes.findall(str(chart))]
    assert values and all(re.fullmatch(r"-?\d+(\.\d+)?%?", value) for value in values), values
    points = [p for chart in charts for p in re.findall(r'points="([^"]*)"', str(chart))]
    assert points and all(re.fullmatch(r"[\d.]+,[\d.]+( [\d.]+,[\d.]+)*", p) for p in points)


def test_the_api_keeps_trend_dates_iso_for_a_spanish_reader(dataset, personas, client_for):
    User.objects.filter(id=personas.principal_a.id).update(language="es")
    personas.principal_a.refresh_from_db()
    client = client_for(personas.principal_a)
    url = f"/api/v1/summaries/schools/{personas.school_a.pk}/"
    data = client.get(url, {"period": "2025-03"}).json()
    monthly = next(table for table in data["tables"] if table["slug"] == "monthly")
    first = [row[0] for row in monthly["rows"]]
    assert {"display": "2025-01-01", "kind": "text", "suppressed": False, "number": None} in first
