"""A feed page reads what it keeps in the cache (its filters' schools and sources, its
precision tables: workspace/views/alerts.py) in the signed-in user's one cache round trip
(accounts/auth_cache.py), and asks the database for its page alone."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert
from alerts.services import alert_dismiss
from tests.fixtures import THREAT

pytestmark = pytest.mark.django_db


def test_the_feeds_kept_filters_and_precision_come_in_the_signed_in_round_trip(
    client_for, ingest, personas, settings, monkeypatch
):
    settings.NAVIGATION_COUNT_SECONDS = 10
    settings.ROLES_CACHE_SECONDS = 60
    ingest(("a1", THREAT), ("a2", "gonna bring a knife to Lincoln High and stab him"))
    alert_dismiss(
        alert=Alert.objects.order_by("id").first(), reason="duplicate", actor=personas.counselor_a
    )
    cache.clear()
    client = client_for(personas.counselor_a)
    first = client.get("/alerts/").content.decode()  # keeps the filters and the precision
    reads = []
    real_get_many = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys, **k: reads.append(list(keys)) or real_get_many(keys, **k)
    )
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/alerts/").content.decode()
    assert len(reads) == 1, reads  # the user, roles, badges and the feed's kept entries
    user_id = personas.counselor_a.pk
    assert {f"feed-filters:{user_id}", f"feed-precision:{user_id}"} <= set(reads[0])
    assert len(captured) == 1, [query["sql"] for query in captured]  # the page, nothing else
    assert html.count("<article") == first.count("<article") == 1
    assert 'id="precision-by-source"' in html and "Lincoln High</option>" in html
