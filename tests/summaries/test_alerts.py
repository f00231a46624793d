"""Alert volume, escalation rate and precision by source, in the school and district pages."""

import pytest
from django.urls import reverse

from alerts.models import Alert, Post, Source
from summaries.periods import period_parse
from summaries.tables import alert_rows

from .datasets import local


def alert_make(source, school, created_at, status="new", reason=""):
    number = Post.objects.count() + 1
    post = Post.objects.create(
        source=source, external_id=f"p{number}", text="t", fingerprint=f"{number:040d}"
    )
    return Alert.objects.create(
        post=post, source=source, school=school, score=0.7, severity="high",
        top_category="violence",
        status=status, dismissal_reason=reason, group_key=f"{number:040d}", created_at=created_at,
    )  # fmt: skip


@pytest.fixture
def alerts(personas, settings):
    settings.TIPLINE_SUMMARY_SUPPRESSION_THRESHOLD = 0
    district = personas.school_a.district
    mastodon = Source.objects.create(district=district, kind="mastodon", name="Mastodon #town")
    rss = Source.objects.create(district=district, kind="rss", name="Local news")
    a, b = personas.school_a, personas.school_b
    # March at school A: Mastodon 3 escalated, 1 dismissed, 1 new; news 1 dismissed.
    for day in (1, 2, 3):
        alert_make(mastodon, a, local(2025, 3, day, 12), "escalated")
    alert_make(mastodon, a, local(2025, 3, 4, 12), "dismissed", "false_positive")
    alert_make(mastodon, a, local(2025, 3, 31, 23, 30), "new")
    alert_make(rss, a, local(2025, 3, 5, 12), "dismissed", "not_our_school")
    # February at A: one escalated; April and school B: never in A's March.
    alert_make(mastodon, a, local(2025, 2, 28, 23, 59), "escalated")
    alert_make(mastodon, a, local(2025, 4, 1, 0, 10), "escalated")
    alert_make(mastodon, b, local(2025, 3, 10, 12), "escalated")
    return mastodon, rss


def test_it_counts_alerts_per_school_source_and_period(personas, alerts):
    march = period_parse("2025-03", today=local(2025, 3, 1).date())
    rows = alert_rows(schools=[personas.school_a], period=march)
    found = {
        (r["source_name"], r["which"]): (r["alerts"], r["escalated"], r["dismissed"]) for r in rows
    }
    assert found == {
        ("Mastodon #town", 1): (5, 3, 1),
        ("Local news", 1): (1, 0, 1),
        ("Mastodon #town", 0): (1, 1, 0),
    }


def test_it_counts_by_source_as_the_posts_say(personas, alerts):
    """The alert's own source (copied at ingest) gives the figures the posts' sources give."""
    march = period_parse("2025-03", today=local(2025, 3, 1).date())
    schools = [personas.school_a, personas.school_b]
    found = {
        (r["school_id"], r["source_id"], r["which"]): (r["alerts"], r["escalated"], r["dismissed"])
        for r in alert_rows(schools=schools, period=march)
    }
    expected: dict[tuple, list[int]] = {}
    for school in schools:
        bounds = {1: march.bounds(school.tzinfo), 0: march.previous().bounds(school.tzinfo)}
        for which, (start, end) in bounds.items():
            for alert in Alert.objects.filter(
                school=school, created_at__gte=start, created_at__lt=end
            ).select_related("post"):
                key = (school.pk, alert.post.source_id, which)
                counts = expected.setdefault(key, [0, 0, 0])
                counts[0] += 1
                counts[1] += alert.status == "escalated"
                counts[2] += alert.status == "dismissed"
    assert found == {key: tuple(counts) for key, counts in expected.items()}
    assert len(found) == 4  # A: Mastodon and news in March, Mastodon in February; B: Mastodon


def test_it_shows_escalation_rate_and_precision_by_source(client_for, personas, alerts):
    url = reverse("summaries:school", args=[personas.school_a.pk]) + "?period=2025-03"
    summary = client_for(personas.principal_a).get(url).context["summary"]
    overview = {row[0].value: row for row in summary.table("overview").rows}
    assert overview["Social-post alerts"][1].value == 6
    assert overview["Social-post alerts"][2].value == 1
    assert overview["Alert escalation rate"][1].display == "50.0%"
    by_source = {row[0].value: row for row in summary.table("alerts_by_source").rows}
    # Mastodon: 3 escalated of 4 reviewed -> precision 75%; escalation rate 3 of 5 = 60%.
    assert [c.display for c in by_source["Mastodon #town"][1:6]] == [
        "5",
        "3",
        "1",
        "60.0%",
        "75.0%",
    ]
    assert by_source["Local news"][5].display == "0.0%"
