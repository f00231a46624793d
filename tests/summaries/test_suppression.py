"""Small counts are hidden as "<N" on pages, charts and exports; 0 switches it off."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import DistrictPolicy
from summaries.suppression import (
    count_cell,
    duration_cell,
    rate_cell,
    suppress_complements,
    threshold_for,
)

from .datasets import march_dataset


def test_it_hides_counts_from_one_to_threshold_less_one():
    assert [count_cell(n, 5).display for n in (0, 1, 4, 5, 1234)] == ["0", "<5", "<5", "5", "1,234"]
    assert count_cell(3, 5).csv == "<5"
    assert count_cell(3, 5).number is None
    assert count_cell(3, 0).display == "3"


def test_it_hides_rates_and_times_built_on_small_counts():
    assert rate_cell(2, 100, 5).display == "suppressed"
    assert rate_cell(10, 3, 5).suppressed
    assert rate_cell(10, 40, 5).display == "25.0%"
    assert rate_cell(0, 0, 5).display == "-"
    assert duration_cell(timedelta(minutes=12), 4, 5).display == "suppressed"
    assert duration_cell(timedelta(minutes=12), 5, 5).display == "12 min"


def test_it_hides_the_next_smallest_cell_when_one_would_be_recoverable_from_the_total():
    cells = suppress_complements([count_cell(n, 5) for n in (20, 3, 0, 7, 9)])
    assert [c.display for c in cells] == ["20", "<5", "0", "suppressed", "9"]
    # Two hidden cells already protect each other; nothing more is hidden.
    cells = suppress_complements([count_cell(n, 5) for n in (20, 3, 2, 7)])
    assert [c.display for c in cells] == ["20", "<5", "<5", "7"]


def test_it_sorts_hidden_cells_as_equals():
    assert count_cell(1, 5).sort_key() == count_cell(4, 5).sort_key()


def test_it_takes_the_district_policy_threshold(personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 5
    district = personas.school_a.district
    assert threshold_for(district) == 5
    DistrictPolicy.objects.create(district=district, summary_suppression_threshold=11)
    district.refresh_from_db()
    assert threshold_for(type(district).objects.select_related("policy").get(pk=district.pk)) == 11


@pytest.fixture
def dataset(personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 5
    return march_dataset(personas.school_a, personas.school_b)


def test_it_suppresses_small_cells_on_the_school_page(client_for, personas, dataset):
    url = reverse("summaries:school", args=[personas.school_a.pk]) + "?period=2025-03"
    response = client_for(personas.principal_a).get(url)
    summary = response.context["summary"]
    categories = {row[0].value: row[1] for row in summary.table("categories").rows}
    assert categories["Suicide or self-harm"].display == "<5"
    assert categories["Suicide or self-harm"].suppressed
    assert summary.headline["reports"].display == "6"
    page = response.content.decode()
    assert "&lt;5" in page
    # The chart labels the hidden bar "<5" and draws no bar for it.
    assert "Suicide or self-harm: This period &lt;5" in page


def test_it_suppresses_small_cells_in_csv_exports(client_for, personas, dataset):
    url = reverse("summaries:school_csv", args=[personas.school_a.pk, "categories"])
    response = client_for(personas.principal_a).get(url + "?period=2025-03")
    body = b"".join(response.streaming_content).decode()
    assert "Suicide or self-harm,<5,0" in body
    assert ",1," not in body


def test_it_shows_every_count_when_the_threshold_is_zero(client_for, personas, dataset, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 0
    url = reverse("summaries:school_csv", args=[personas.school_a.pk, "categories"])
    response = client_for(personas.principal_a).get(url + "?period=2025-03")
    assert "Suicide or self-harm,1,0" in b"".join(response.streaming_content).decode()


def test_it_hides_a_second_school_when_one_could_be_recovered_from_the_district_total(
    client_for, personas, settings
):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 2
    march_dataset(personas.school_a, personas.school_b)
    url = reverse("summaries:district", args=[personas.school_a.district_id]) + "?period=2025-03"
    table = client_for(personas.district_admin).get(url).context["summary"].tables[0]
    tips = {row[0].value: row[1].display for row in table.rows}
    # Roosevelt's single case is hidden; with the total (7) shown, Lincoln's 6 must hide too.
    assert tips == {"Lincoln High": "suppressed", "Roosevelt Middle": "<2"}
    assert table.footer[0][1].display == "7"
    assert {row[3].display for row in table.rows} == {"-"}


def test_it_protects_the_annual_report_by_school_against_subtraction(
    client_for, personas, settings
):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 2
    march_dataset(personas.school_a, personas.school_b)
    url = reverse("summaries:annual", args=[personas.school_a.district_id]) + "?year=2024"
    summary = client_for(personas.district_admin).get(url).context["summary"]
    rows = {row[0].value: row[1].display for row in summary.table("by_school").rows}
    assert rows == {"Lincoln High": "suppressed", "Roosevelt Middle": "<2"}
