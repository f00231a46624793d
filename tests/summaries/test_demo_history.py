"""seed_demo's year of history: deterministic, text-free, closed, written once, and enough
for every summary table of the demo district to show numbers above the small-cell
threshold."""

import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.models import District, School
from cases.models import Case, CaseStatus, Category
from summaries.demo_history import PLACEHOLDER, REFERENCE_PREFIX, demo_history_seed
from summaries.periods import month_period
from tipline.models import Message, Tip

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


def _shape():
    cases = Case.objects.filter(reference__startswith=REFERENCE_PREFIX)
    return Counter(cases.values_list("school__slug", "category", "channel", "priority", "outcome"))


def test_it_writes_a_deterministic_year_once(capsys):
    call_command("seed_demo", "--no-history")
    schools = list(School.objects.all())
    written = demo_history_seed(schools=schools, today=TODAY)
    first = _shape()
    assert written == sum(first.values()) > 1500
    assert demo_history_seed(schools=schools, today=TODAY) == 0
    Message.objects.all().delete()
    Case.objects.all().delete()
    assert demo_history_seed(schools=schools, today=TODAY) == written
    assert _shape() == first


def test_it_holds_no_text_and_leaves_the_queues_alone():
    call_command("seed_demo")
    cases = Case.objects.filter(reference__startswith=REFERENCE_PREFIX)
    assert cases.exists() and not Tip.objects.exists()
    assert set(cases.values_list("status", flat=True)) == {CaseStatus.CLOSED}
    assert {m.body for m in Message.objects.all()} == {PLACEHOLDER}
    assert all(c.outcome_summary == "" for c in cases[:50])
    first, last = cases.order_by("created_at").values_list("created_at", flat=True)[
        :: len(cases) - 1
    ]
    assert (last - first).days > 300


def test_it_fills_every_summary_table_of_last_month(client):
    call_command("seed_demo")
    district = District.objects.get()
    admin = district.memberships.get().user
    client.force_login(admin)
    last_month = month_period(date.today()).previous().key
    pages = [f"/summaries/districts/{district.id}/?period={last_month}"]
    pages += [f"/summaries/schools/{s.id}/?period={last_month}" for s in School.objects.all()]
    # The weekly trend's last row is the week holding the month's last day: when that week
    # runs past the month, it holds only the month's last days (as it would in real use).
    last_day = month_period(date.today()).previous().last_day
    monday = last_day - timedelta(days=last_day.weekday())
    partial_week = f"{monday.day} {monday:%b %Y}" if last_day.weekday() != 6 else None
    for url in pages:
        html = client.get(url).content.decode()
        assert "Tips by category" in html
        hidden = {}
        for caption, table in re.findall(r"<caption>(.*?)</caption>(.*?)</table>", html, re.S):
            rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
            if caption.startswith("Tips per week") and partial_week:
                rows = [row for row in rows if f">{partial_week}<" not in row]
            hidden[caption] = sum(row.count('<td class="text-end suppressed">') for row in rows)
        assert hidden and not any(hidden.values()), (url, {k: v for k, v in hidden.items() if v})


def test_it_fills_the_current_month_up_to_yesterday_and_every_channel():
    """The summaries open on the current month: late in a month it has figures too, every
    case closed before today, and each channel (web, SMS, calls, staff-entered) has cases."""
    call_command("seed_demo", "--no-history")
    demo_history_seed(schools=list(School.objects.all()), today=TODAY)
    cases = Case.objects.filter(reference__startswith=REFERENCE_PREFIX)
    this_month = cases.filter(created_at__date__gte=TODAY.replace(day=1))
    assert this_month.count() > 100
    assert not cases.filter(closed_at__date__gte=TODAY).exists()
    per_school_channel = Counter(this_month.values_list("school__slug", "channel"))
    assert len(per_school_channel) == 2 * 4 and min(per_school_channel.values()) >= 5


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2027, 3, 1), date(2026, 11, 30)])
def test_the_month_before_the_first_of_a_month_is_whole(today):
    """Cases opened in the last days before `today` close before it (squeezed, not dropped),
    so every category of the month before clears the small-cell threshold at every school."""
    call_command("seed_demo", "--no-history")
    schools = list(School.objects.all())
    demo_history_seed(schools=schools, today=today)
    last = month_period(today).previous() if today.day == 1 else month_period(today)
    cases = Case.objects.filter(
        reference__startswith=REFERENCE_PREFIX,
        created_at__date__gte=last.first_day,
        created_at__date__lte=last.last_day,
    )
    per_cell = Counter(cases.values_list("school__slug", "category"))
    assert len(per_cell) == len(schools) * len(Category.values)
    assert min(per_cell.values()) >= 5, per_cell.most_common()[-3:]
    for case in cases.filter(created_at__date=today - timedelta(days=1)):
        assert case.created_at < case.acknowledged_at < case.first_response_at
        assert case.first_response_at < case.resolved_at <= case.closed_at
        midnight = datetime.combine(today, time(0), tzinfo=ZoneInfo(case.school.timezone))
        assert case.closed_at < midnight
