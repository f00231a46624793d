"""Every figure against a small dataset whose answers were worked out by hand.

The dataset (tests/tipline/summary_fixtures.py) puts six cases in March 2025 (Denver) at
school A, one of them at 23:30 local on 31 March, two in February (one at 23:59 local on the
28th, already 1 March in UTC), one at 00:10 local on 1 April, and one March case at school B.
"""

from datetime import timedelta

import pytest

from summaries.build import school_summary
from summaries.figures import (
    CURRENT,
    PREVIOUS,
    Group,
    case_figures,
    open_case_figures,
    trend_figures,
)
from summaries.periods import period_parse, trend_buckets

from .datasets import local, march_dataset

MARCH = period_parse("2025-03", today=local(2025, 3, 1).date())
NOW = local(2025, 4, 2, 12)


@pytest.fixture
def dataset(personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 0
    return march_dataset(personas.school_a, personas.school_b)


def figures_for(school):
    groups = case_figures(schools=[school], period=MARCH, now=NOW)
    return groups[(school.pk, CURRENT)], groups.get((school.pk, PREVIOUS), Group())


def test_it_counts_reports_by_category_channel_and_priority(personas, dataset):
    march, february = figures_for(personas.school_a)
    assert march["reports"] == 6
    assert {k: v for k, v in march.counts.items() if k.startswith("category_") and v} == {
        "category_self_harm": 1,
        "category_threat": 1,
        "category_bullying": 2,
        "category_other": 1,
        "category_fight": 1,
    }
    assert (march["channel_web"], march["channel_sms"], march["channel_social"]) == (4, 2, 0)
    assert (march["priority_1"], march["priority_2"], march["priority_3"]) == (2, 1, 3)
    assert february["reports"] == 2
    assert february["priority_1"] == 1


def test_it_puts_a_case_at_2330_local_on_the_last_day_in_that_period(personas, dataset):
    march, february = figures_for(personas.school_a)
    # c5 (31 March 23:30 local, 1 April in UTC) is March's only urgent case; the case at
    # 23:59 local on 28 February (1 March in UTC) is February's weapon case.
    assert march["priority_2"] == 1
    assert march["category_weapon"] == 0
    assert february["category_weapon"] == 1
    april = period_parse("2025-04", today=NOW.date())
    groups = case_figures(schools=[personas.school_a], period=april, now=NOW)
    assert groups[(personas.school_a.pk, CURRENT)]["reports"] == 1


def test_it_computes_outcomes_false_reports_and_duplicates(personas, dataset):
    march, _ = figures_for(personas.school_a)
    assert march["outcome_welfare_check"] == 1
    assert march["outcome_false_report"] == 1
    assert march["outcome_counseling_referral"] == 1
    assert march["duplicates"] == 1
    summary = school_summary(school=personas.school_a, period=MARCH, now=NOW)
    rows = {row[0].value: row for row in summary.table("overview").rows}
    assert rows["False-report rate"][1].display == "16.7%"
    assert rows["Duplicate rate"][1].display == "16.7%"
    assert rows["Life-safety share"][1].display == "33.3%"
    assert rows["Life-safety share"][2].display == "50.0%"
    assert rows["Tips received (cases opened)"][3].display == "+4"


def test_it_computes_median_and_90th_percentile_response_times(personas, dataset):
    march, _ = figures_for(personas.school_a)
    minute, hour, day = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
    # Acknowledged after 10, 20, 30, 60 min: median 25 min, p90 at 2.7 -> 30 + 0.7*30 = 51.
    assert march.percentiles["acknowledge_p50"] == 25 * minute
    assert march.percentiles["acknowledge_p90"] == 51 * minute
    # First response after 1, 3, 5 h: median 3 h, p90 at 1.8 -> 3 + 0.8*2 = 4.6 h.
    assert march.percentiles["first_response_p50"] == 3 * hour
    assert march.percentiles["first_response_p90"] == 4.6 * hour
    # Resolved after 2 and 4 days: median 3 days, p90 at 0.9 -> 3.8 days.
    assert march.percentiles["resolution_p50"] == 3 * day
    assert march.percentiles["resolution_p90"] == 3.8 * day
    assert (march["acknowledge_n"], march["first_response_n"], march["resolution_n"]) == (4, 3, 2)


def test_it_counts_sla_met_from_the_due_times(personas, dataset):
    march, _ = figures_for(personas.school_a)
    assert (march["ack_met"], march["ack_measured"]) == (3, 4)
    assert (march["response_met"], march["response_measured"]) == (2, 3)


def test_it_leaves_a_case_still_inside_its_window_out_of_the_sla(personas, dataset):
    c5 = dataset["c5"]
    c5.acknowledge_due_at = NOW + timedelta(hours=1)
    c5.save()
    march, _ = figures_for(personas.school_a)
    assert march["ack_measured"] == 4
    c5.acknowledge_due_at = NOW - timedelta(hours=1)
    c5.save()
    march, _ = figures_for(personas.school_a)
    assert (march["ack_met"], march["ack_measured"]) == (3, 5)


def test_it_counts_two_way_dialogue_only_when_the_tipster_answered_staff(personas, dataset):
    march, _ = figures_for(personas.school_a)
    assert (march["tipster_answered"], march["staff_wrote"]) == (2, 3)


def test_it_counts_open_cases_by_status_and_age(personas, dataset):
    open_now = open_case_figures(schools=[personas.school_a], now=NOW)[personas.school_a.pk]
    # Open: c2 (28 days), c5 (1.5 days), the two February cases, the April case (1.5 days);
    # c6 is merged away, c1/c4 resolved, c3 closed.
    assert open_now["open"] == 5
    assert open_now["status_new"] == 5
    assert (open_now["age_0_1"], open_now["age_1_7"], open_now["age_7_30"]) == (0, 2, 1)
    assert open_now["age_30"] == 2


def test_it_counts_weekly_and_monthly_trends_on_local_days(personas, dataset):
    buckets = {
        "week": trend_buckets("week", local(2025, 4, 6).date(), 2),
        "month": trend_buckets("month", local(2025, 4, 6).date(), 3),
    }
    trends = trend_figures(schools=[personas.school_a], buckets=buckets)[personas.school_a.pk]
    # Weeks of 24 and 31 March: c5 (31 March 23:30) and the April case (1 April 00:10).
    assert trends["week"] == [0, 2]
    assert trends["month"] == [2, 6, 1]


def test_it_never_counts_another_schools_cases(personas, dataset):
    march, _ = figures_for(personas.school_b)
    assert march["reports"] == 1
    assert march["category_threat"] == 1
    summary = school_summary(school=personas.school_a, period=MARCH, now=NOW)
    categories = {row[0].value: row[1].value for row in summary.table("categories").rows}
    assert categories["Threat of violence or planned attack"] == 1
