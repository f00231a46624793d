"""Small-cell suppression holds in every export, not only on the pages: the de-identified case
list is counts of combinations (rare ones folded together), and tables whose lines add up to
figures shown elsewhere hide a second cell so subtraction gives nothing back."""

import csv
import io
import random

import pytest
from django.urls import reverse

from tipline.summaries.periods import period_parse
from tipline.summaries.suppression import COUNT, Cell, count_cell, suppress_lines, text_cell
from tipline.summaries.tables import open_cases_table, trend_table

from .summary_fixtures import case_make, local, march_dataset

ONE_DAY = "2025-03-01..2025-03-01"  # c1 alone: a self-harm case on 1 March


@pytest.fixture
def threshold_five(settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 5


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_it_does_not_list_a_case_the_summary_hides(client_for, personas, threshold_five):
    march_dataset(personas.school_a, personas.school_b)
    client = client_for(personas.principal_a)
    school = personas.school_a.pk
    page = client.get(reverse("summaries:school", args=[school]), {"period": ONE_DAY})
    assert page.context["summary"].headline["reports"].display == "<5"
    api = client.get(f"/api/v1/summaries/schools/{school}/", {"period": ONE_DAY}).json()
    assert api["headline"]["reports"]["display"] == "<5"
    case_list = reverse("summaries:school_case_list", args=[school])
    rows = _csv(client.get(case_list, {"period": ONE_DAY}))
    assert rows == [
        {
            "month_opened": "2025-03",
            "school": "Lincoln High",
            "category": "rare combinations",
            "channel": "rare combinations",
            "priority": "rare combinations",
            "status": "rare combinations",
            "outcome": "rare combinations",
            "cases": "<5",
            "acknowledged_on_time": "<5",
            "first_response_on_time": "<5",
            "merged_as_duplicate": "0",
        }
    ]


def test_it_lists_combinations_enough_cases_share(client_for, personas, threshold_five):
    for hour in range(6):
        case_make(personas.school_a, local(2025, 3, 3, 8 + hour), category="bullying")
    case_make(personas.school_a, local(2025, 3, 4, 9), category="self_harm", priority=1)
    case_make(personas.school_b, local(2025, 3, 4, 9), category="weapon", priority=1)
    client = client_for(personas.district_admin)
    url = reverse("summaries:district_case_list", args=[personas.school_a.district_id])
    rows = _csv(client.get(url, {"period": "2025-03"}))
    described = [(r["school"], r["category"], r["cases"]) for r in rows]
    assert described == [
        ("Lincoln High", "Bullying or cyberbullying", "6"),
        ("Lincoln High", "rare combinations", "<5"),
        ("Roosevelt Middle", "rare combinations", "<5"),
    ]
    assert "Suicide" not in str(rows) and "Weapon" not in str(rows)


def _lines_ok(rows, lines) -> bool:
    """No line has exactly one hidden count while another non-zero count in it stays shown
    (a line whose other cells are all zero gives its hidden cell away only through a total
    that is itself that small, hence hidden too)."""
    for line in lines:
        cells = [rows[r][c] for r, c in line]
        hidden = [cell for cell in cells if cell.suppressed]
        if len(hidden) == 1 and any(cell.value and not cell.suppressed for cell in cells):
            return False
    return True


def _strictly_ok(rows, lines) -> bool:
    return all(sum(rows[r][c].suppressed for r, c in line) != 1 for line in lines)


def _grid_with_totals(rng, height, width, threshold=5):
    """A table of counts with a Total column and an All row, as the open-cases table has."""
    values = [[rng.choice((0, 0, 1, 3, 6, 9, 20)) for _ in range(width)] for _ in range(height)]
    values = [[*row, sum(row)] for row in values]
    values.append([sum(column) for column in zip(*values, strict=True)])
    rows = [[text_cell("row"), *(count_cell(v, threshold) for v in row)] for row in values]
    figures = range(1, width + 2)
    lines = [[(r, c) for c in figures] for r in range(height + 1)]
    lines += [[(r, c) for r in range(height + 1)] for c in figures]
    return rows, lines


def test_it_leaves_no_line_with_a_single_hidden_cell():
    rng = random.Random(12)
    for _ in range(400):
        rows, lines = _grid_with_totals(rng, rng.randint(1, 5), rng.randint(1, 5))
        protected = suppress_lines(rows, lines)
        # With its totals in the table, no line is left with one hidden cell at all.
        assert _strictly_ok(protected, lines)
        for before, after in zip(rows, protected, strict=True):
            for old, new in zip(before, after, strict=True):
                assert new.value == old.value and (new.suppressed or not old.suppressed)


def test_it_protects_open_cases_by_status_and_age_against_subtraction():
    # New: 10 under a day and 3 of 1-7 days (13); triaged: 6 under a day. Without protection,
    # "1-7 days" of new cases is 13 - 10, and every total is shown.
    open_now = {"age_0_1_new": 10, "age_1_7_new": 3, "status_new": 13,
                "age_0_1_triaged": 6, "status_triaged": 6,
                "age_0_1": 16, "age_1_7": 3, "open": 19}  # fmt: skip
    table = open_cases_table(open_now, threshold=5)
    figures = range(1, len(table.rows[0]))
    lines = [[(r, c) for c in figures] for r in range(len(table.rows))]
    lines += [[(r, c) for r in range(len(table.rows))] for c in figures]
    assert _strictly_ok(table.rows, lines)
    new_row = table.rows[0]
    assert new_row[2].display == "<5" and new_row[1].suppressed


def test_it_protects_trend_buckets_that_add_up_to_the_period_shown():
    months = [period_parse(key, today=local(2025, 4, 1).date()) for key in
              ("2024-12", "2025-01", "2025-02", "2025-03")]  # fmt: skip
    quarter = period_parse("2025-Q1", today=local(2025, 4, 1).date())
    table = trend_table("monthly", "Tips", months, {"Tips": [9, 7, 2, 6]}, 5,
                        shown_totals=(quarter,))  # fmt: skip
    shown = [row[1].display for row in table.rows]
    # Q1's total (15) is on the page: February's 2 must not be 15 - 7 - 6.
    assert shown == ["9", "7", "<5", "suppressed"]


def test_it_protects_each_school_against_the_district_total_in_trends():
    weeks = [period_parse(key, today=local(2025, 4, 1).date()) for key in ("2025-W10",)]
    series = {"All schools": [9], "Lincoln High": [7], "Roosevelt Middle": [2]}
    table = trend_table("weekly", "Tips", weeks, series, 5, first_is_total=True)
    assert [cell.display for cell in table.rows[0][1:]] == ["9", "suppressed", "<5"]


def test_it_protects_categories_by_school_both_ways(client_for, personas, threshold_five):
    for hour in range(3):
        case_make(personas.school_a, local(2025, 3, 3, 8 + hour), category="threat")
    for hour in range(6):
        case_make(personas.school_b, local(2025, 3, 3, 8 + hour), category="threat")
        case_make(personas.school_a, local(2025, 3, 5, 8 + hour), category="bullying")
    url = reverse("summaries:district", args=[personas.school_a.district_id])
    summary = client_for(personas.district_admin).get(url, {"period": "2025-03"}).context["summary"]
    table = summary.table("categories_by_school")
    rows = table.rows
    width = len(rows[0])
    lines = [[(r, c) for c in range(1, width)] for r in range(len(rows))]
    lines += [[(r, c) for r in range(len(rows))] for c in range(1, width)]
    assert _lines_ok(rows, lines)
    threat = next(row for row in rows if row[0].value.startswith("Threat"))
    # The district's threats (9) are shown: Roosevelt's 6 must not give Lincoln's 3 away.
    assert threat[1].display == "<5" and threat[2].suppressed
    assert all(isinstance(cell, Cell) and cell.kind in (COUNT, "text") for cell in threat)
