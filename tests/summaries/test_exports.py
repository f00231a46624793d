"""The CSV downloads, parsed: every table, the de-identified case list, the annual report."""

import csv
import io

import pytest
from django.urls import reverse

from .datasets import march_dataset


@pytest.fixture
def dataset(personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 0
    return march_dataset(personas.school_a, personas.school_b)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_exports_one_table_as_csv(client_for, personas, dataset):
    url = reverse("summaries:school_csv", args=[personas.school_a.pk, "channels"])
    rows = read_csv(client_for(personas.principal_a).get(url + "?period=2025-03"))
    assert rows[0] == ["Channel", "This period", "Previous period"]
    assert rows[1:] == [
        ["Web form", "4", "2"],
        ["SMS", "2", "0"],
        ["Social post alert", "0", "0"],
        ["Entered by staff", "0", "0"],
        ["Phone call", "0", "0"],
    ]


def test_it_exports_response_times_in_hours(client_for, personas, dataset):
    url = reverse("summaries:school_csv", args=[personas.school_a.pk, "response_times"])
    rows = read_csv(client_for(personas.principal_a).get(url + "?period=2025-03"))
    by_measure = {row[0]: row for row in rows[1:]}
    assert by_measure["Time to acknowledge"][1:4] == ["0.42", "0.85", "4"]
    assert by_measure["Time to first response"][1:3] == ["3.00", "4.60"]


def test_it_exports_every_table_in_one_file(client_for, personas, dataset):
    url = reverse("summaries:school_csv", args=[personas.school_a.pk, "all"])
    rows = read_csv(client_for(personas.principal_a).get(url + "?period=2025-03"))
    assert rows[0] == ["table", "row", "column", "value"]
    tables = {row[0] for row in rows[1:]}
    assert {"overview", "categories", "channels", "priorities", "outcomes", "response_times",
            "sla", "open_cases", "weekly", "monthly"} <= tables  # fmt: skip
    assert ["sla", "Acknowledged on time", "Rate", "75.0"] in rows
    assert ["overview", "Two-way dialogue rate", "This period", "66.7"] in rows


def test_it_refuses_an_unknown_table(client_for, personas):
    url = reverse("summaries:school_csv", args=[personas.school_a.pk, "tip_bodies"])
    assert client_for(personas.principal_a).get(url).status_code == 404


def test_it_exports_a_de_identified_case_list(client_for, personas, dataset):
    url = reverse("summaries:school_case_list", args=[personas.school_a.pk])
    rows = read_csv(client_for(personas.principal_a).get(url + "?period=2025-03"))
    header, body = rows[0], rows[1:]
    assert "reference" not in header and "body" not in header
    records = [dict(zip(header, row, strict=True)) for row in body]
    # Counts per combination (threshold 0 here: nothing is folded), never a row per case.
    assert sum(int(r["cases"]) for r in records) == 6
    assert {r["month_opened"] for r in records} == {"2025-03"}
    assert {r["school"] for r in records} == {"Lincoln High"}
    threat = next(r for r in records if r["category"] == "Threat of violence or planned attack")
    assert threat["outcome"] == "False report meant to harm"
    assert (threat["cases"], threat["acknowledged_on_time"]) == ("1", "1")
    assert sum(int(r["first_response_on_time"]) for r in records) == 2
    assert sum(int(r["merged_as_duplicate"]) for r in records) == 1


def test_it_exports_the_annual_report_in_the_shape_state_law_asks_for(
    client_for, personas, dataset
):
    url = reverse("summaries:annual_csv", args=[personas.school_a.district_id])
    rows = read_csv(client_for(personas.district_admin).get(url + "?year=2024"))
    assert rows[0] == ["section", "label", "measure", "value"]
    data = {(r[0], r[1], r[2]): r[3] for r in rows[1:]}
    # School year 2024-25: school A's 9 cases (Feb, Mar, 1 Apr) and school B's one.
    assert data[("totals", "Tips received", "tips")] == "10"
    assert data[("totals", "Life-safety tips", "tips")] == "4"
    assert data[("totals", "False reports (meant to harm)", "tips")] == "1"
    assert data[("totals", "False-report rate", "rate (%)")] == "10.0"
    assert data[("by_type", "Bullying or cyberbullying", "tips")] == "3"
    assert data[("by_intake_method", "SMS", "tips")] == "2"
    assert data[("by_school", "Lincoln High", "tips")] == "9"
    assert data[("by_school", "Roosevelt Middle", "life-safety tips")] == "1"
    assert data[("by_school", "All schools", "false reports")] == "1"


def test_it_prints_the_annual_report_page(client_for, personas, dataset):
    url = reverse("summaries:annual", args=[personas.school_a.district_id]) + "?year=2024"
    page = client_for(personas.district_admin).get(url).content.decode()
    assert "School year 2024-25" in page
    for heading in ("Totals", "Tips by type", "Tips by intake method", "Tips by school"):
        assert heading in page


def test_it_exports_the_district_table_in_its_sort_order(client_for, personas, dataset):
    url = reverse("summaries:district_csv", args=[personas.school_a.district_id, "schools"])
    client = client_for(personas.district_admin)
    rows = read_csv(client.get(url + "?period=2025-03&sort=reports"))
    assert [row[0] for row in rows[1:]] == ["Roosevelt Middle", "Lincoln High", "All schools"]
    assert rows[0][:3] == ["School", "Tips", "Tips (previous)"]
    assert rows[-1][1] == "7"
