import pytest
from django.core.cache import cache
from django.urls import reverse

from alerts.models import Alert, AlertStatus
from alerts.services import alert_dismiss, alert_escalate
from tests.fixtures import THREAT

FEED = reverse("alerts:feed")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def two_alerts(ingest, personas):
    ingest(("a1", THREAT), ("b1", "I'm going to shoot everyone at Roosevelt Middle tomorrow"))
    return (
        Alert.objects.get(school=personas.school_a),
        Alert.objects.get(school=personas.school_b),
    )


def test_anonymous_users_are_sent_to_sign_in(client, two_alerts):
    response = client.get(FEED)
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    response = client.post(reverse("alerts:dismiss", args=[two_alerts[0].id]))
    assert response.status_code == 302
    assert Alert.objects.filter(status=AlertStatus.NEW).count() == 2


def test_principals_may_not_triage(client_for, personas, two_alerts):
    client = client_for(personas.principal_a)
    assert client.get(FEED).status_code == 403
    response = client.post(
        reverse("alerts:dismiss", args=[two_alerts[0].id]), {"reason": "duplicate"}
    )
    assert response.status_code == 404


def test_counselors_see_only_their_schools_alerts(client_for, personas, two_alerts):
    alert_a, alert_b = two_alerts
    html = client_for(personas.counselor_a).get(FEED).content.decode()
    assert f'id="alert-{alert_a.id}"' in html and f'id="alert-{alert_b.id}"' not in html


@pytest.mark.parametrize("who", ["counselor_b", "other_district_admin", "principal_a"])
def test_out_of_scope_alerts_are_404_for_every_action(client_for, personas, two_alerts, who):
    client = client_for(getattr(personas, who))
    alert = two_alerts[0]
    for name, data in (
        ("dismiss", {"reason": "duplicate"}),
        ("escalate", {}),
        ("attach", {"case": 1}),
    ):
        assert client.post(reverse(f"alerts:{name}", args=[alert.id]), data).status_code == 404
    assert client.get(reverse("alerts:escalate", args=[alert.id])).status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_other_districts_admin_sees_an_empty_feed(client_for, personas, two_alerts):
    html = client_for(personas.other_district_admin).get(FEED).content.decode()
    assert 'id="no-alerts"' in html


def test_district_admin_filters_by_school_and_status(client_for, personas, two_alerts):
    alert_a, alert_b = two_alerts
    client = client_for(personas.district_admin)
    html = client.get(FEED, {"school": personas.school_b.id}).content.decode()
    assert f'id="alert-{alert_b.id}"' in html and f'id="alert-{alert_a.id}"' not in html
    alert_dismiss(alert=alert_a, reason="duplicate", actor=personas.district_admin)
    assert f'id="alert-{alert_a.id}"' not in client.get(FEED).content.decode()
    html = client.get(FEED, {"status": "dismissed"}, headers=HTMX).content.decode()
    assert f'id="alert-{alert_a.id}"' in html and "<html" not in html
    assert f'id="alert-{alert_a.id}"' in client.get(FEED, {"status": "any"}).content.decode()
    html = client.get(FEED, {"category": "self_harm"}).content.decode()
    assert 'id="no-alerts"' in html


def test_post_text_is_escaped_and_matches_are_highlighted(client_for, personas, ingest):
    ingest(("x", "<script>alert(1)</script> I'm going to shoot everyone at Lincoln High tomorrow"))
    html = client_for(personas.counselor_a).get(FEED).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<mark class="alert-match alert-match-violence" title="violence">shoot</mark>' in html
    assert '<mark class="alert-school" title="school">Lincoln High</mark>' in html
    assert 'href="https://social.example/p/x"' in html and "@someone" in html


def test_dismiss_over_htmx_returns_the_updated_card(client_for, personas, two_alerts):
    alert = two_alerts[0]
    response = client_for(personas.counselor_a).post(
        reverse("alerts:dismiss", args=[alert.id]), {"reason": "false_positive"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Dismissed" in response.content.decode() and "<html" not in response.content.decode()
    alert.refresh_from_db()
    assert alert.dismissal_reason == "false_positive"


def test_escalate_is_two_clicks(client_for, personas, two_alerts):
    alert = two_alerts[0]
    client = client_for(personas.counselor_a)
    panel = client.get(reverse("alerts:escalate", args=[alert.id]), headers=HTMX)
    assert "Open a new case" in panel.content.decode()
    response = client.post(reverse("alerts:escalate", args=[alert.id]), headers=HTMX)
    alert.refresh_from_db()
    assert alert.case is not None and alert.case.reference in response.content.decode()


def test_attach_refuses_a_case_the_user_cannot_work(client_for, personas, two_alerts):
    alert_a, alert_b = two_alerts
    case_b = alert_escalate(alert=alert_b, actor=personas.counselor_b)
    response = client_for(personas.counselor_a).post(
        reverse("alerts:attach", args=[alert_a.id]), {"case": case_b.id}
    )
    assert response.status_code == 404
    alert_a.refresh_from_db()
    assert alert_a.status == AlertStatus.NEW


def test_bulk_dismiss_stays_in_scope(client_for, personas, two_alerts):
    alert_a, alert_b = two_alerts
    response = client_for(personas.counselor_a).post(
        reverse("alerts:bulk_dismiss"),
        {"alert_ids": [alert_a.id, alert_b.id], "reason": "handled_elsewhere"},
        headers=HTMX,
    )
    assert response.status_code == 200 and "1 alerts dismissed" in response.content.decode()
    assert Alert.objects.get(id=alert_b.id).status == AlertStatus.NEW


def test_the_navigation_counts_new_alerts_in_scope(client_for, personas, two_alerts):
    html = client_for(personas.counselor_a).get(reverse("accounts:home")).content.decode()
    assert 'aria-label="1 new alerts"' in html
    html = client_for(personas.district_admin).get(reverse("accounts:home")).content.decode()
    assert 'aria-label="2 new alerts"' in html


def test_the_feed_shows_precision_per_source_and_category(client_for, personas, two_alerts):
    alert_a, alert_b = two_alerts
    alert_escalate(alert=alert_a, actor=personas.district_admin)
    alert_dismiss(alert=alert_b, reason="false_positive", actor=personas.district_admin)
    response = client_for(personas.district_admin).get(FEED)
    rows = {(r.label, r.reviewed, r.escalated) for r in response.context["precision_by_source"]}
    assert rows == {("Monitor", 2, 1)}
    assert "50%" in response.content.decode()


def test_the_sources_page_is_for_district_admins(client_for, personas, push_source):
    push_source.last_error = "rss: server error 503"
    push_source.consecutive_failures = 3
    push_source.save()
    url = reverse("alerts:sources")
    assert client_for(personas.counselor_a).get(url).status_code == 403
    assert "Monitor" not in client_for(personas.other_district_admin).get(url).content.decode()
    html = client_for(personas.district_admin).get(url).content.decode()
    assert "rss: server error 503" in html and "3 failures in a row" in html


def test_the_feed_keeps_its_precision_figures_a_minute(client_for, personas, two_alerts):
    alert_a, _alert_b = two_alerts
    client = client_for(personas.district_admin)
    client.get(FEED)
    alert_escalate(alert=alert_a, actor=personas.district_admin)
    kept = client.get(FEED).context["precision_by_source"]
    assert kept == []  # counted before the escalation, a minute ago at most
    cache.clear()
    fresh = client.get(FEED).context["precision_by_source"]
    assert {(r.label, r.reviewed, r.escalated) for r in fresh} == {("Monitor", 1, 1)}


def test_the_pages_follow_the_feeds_order_and_count(personas, two_alerts):
    """alerts_feed_page reads a page in one query and orders it itself: the same alerts in
    the same order as alerts_feed, page after page, with the feed's total."""
    from datetime import timedelta

    from alerts.selectors import FeedFilters, alerts_feed, alerts_feed_page

    model = two_alerts[0]
    severities = ["low", "critical", "medium", "high", "none", "critical", "low", "high"]
    for number, severity in enumerate(severities * 3):
        Alert.objects.create(
            post=model.post,
            source=model.source,
            school=model.school,
            score=0.5,
            severity=severity,
            top_category="violence",
            group_key=f"order-{number}",
            # Ties on the time too: the higher id comes first.
            created_at=model.created_at - timedelta(minutes=number % 5),
        )
    filters = FeedFilters()
    expected = list(alerts_feed(user=personas.district_admin, filters=filters).values_list("id"))
    pages = []
    for offset in range(0, len(expected), 7):
        cards, total = alerts_feed_page(
            user=personas.district_admin, filters=filters, offset=offset, size=7
        )
        assert total == len(expected)
        pages.extend((card.id,) for card in cards)
    assert pages == expected
    assert alerts_feed_page(user=personas.district_admin, filters=filters, offset=99, size=7) == (
        [],
        0,
    )


def test_the_feed_reads_through_with_redis_down(client_for, personas, two_alerts):
    """The feed keeps its filter choices and precision in the cache (a minute) and its
    compiled scope, filters and words in the process: with Redis unreachable it still draws
    every card, its filters and its precision, from the database."""
    from django.test import override_settings

    from tests.fixtures import UNREACHABLE_REDIS

    alert_a, _alert_b = two_alerts
    alert_dismiss(alert=alert_a, reason="duplicate", actor=personas.district_admin)
    client = client_for(personas.district_admin)
    warm = client.get(FEED, {"status": "any"}).content.decode()
    with override_settings(CACHES=UNREACHABLE_REDIS):  # restored before the cache is cleared
        response = client.get(FEED, {"status": "any"})
    html = response.content.decode()
    assert response.status_code == 200
    for alert in two_alerts:
        assert f'id="alert-{alert.id}"' in html
    assert 'id="precision-by-source"' in html and "Monitor" in html
    assert html.count("<article") == warm.count("<article") == 2
