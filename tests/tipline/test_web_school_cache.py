"""The school behind /s/<slug>/ and its district's SLA policy are kept briefly per process
(TIPLINE_SCHOOL_CACHE_SECONDS): no query while kept, edits seen once it expires."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import policies
from accounts.models import DistrictPolicy
from tipline import views
from tipline.models import Tip

from .web_helpers import submit_tip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept(settings):
    settings.TIPLINE_SCHOOL_CACHE_SECONDS = 30
    views._schools_by_slug.clear()
    policies._policies.clear()
    yield
    views._schools_by_slug.clear()
    policies._policies.clear()


def _expire_everything():
    """As if TIPLINE_SCHOOL_CACHE_SECONDS had passed."""
    for store in (views._schools_by_slug, policies._policies):
        for key, (_, value) in list(store.items()):
            store[key] = (0.0, value)


def test_it_serves_a_kept_school_without_a_query(client, personas):
    assert client.get("/s/lincoln-high/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/s/lincoln-high/").status_code == 200
    assert captured.captured_queries == []


def test_it_sees_a_deactivated_school_once_the_kept_copy_expires(client, personas):
    assert client.get("/s/lincoln-high/").status_code == 200
    personas.school_a.is_active = False
    personas.school_a.save()
    # Within the window the form still works (a tip sent then is stored all the same).
    assert client.get("/s/lincoln-high/").status_code == 200
    _expire_everything()
    assert client.get("/s/lincoln-high/").status_code == 404
    assert "lincoln-high" not in views._schools_by_slug


def test_it_keeps_only_schools_that_exist(client, personas):
    for _ in range(3):
        assert client.get("/s/no-such-school/").status_code == 404
    assert views._schools_by_slug == {}


def test_it_hands_every_caller_its_own_copy(personas):
    first = views._active_school("lincoln-high")
    first.name = "Changed in one request"
    second = views._active_school("lincoln-high")
    assert second is not first and second.name == "Lincoln High"


def test_it_applies_a_district_policy_edit_once_the_kept_copy_expires(client, personas):
    district = personas.school_a.district
    assert submit_tip(client, category="other", danger_now="not_sure").status_code == 200
    DistrictPolicy.objects.create(district=district, urgent_first_response_minutes=15)
    assert submit_tip(client, category="other", danger_now="not_sure").status_code == 200
    _expire_everything()
    assert submit_tip(client, category="other", danger_now="not_sure").status_code == 200
    windows = [
        (tip.case.first_response_due_at - tip.case.created_at).total_seconds() / 60
        for tip in Tip.objects.select_related("case").order_by("id")
    ]
    assert [round(window) for window in windows] == [240, 240, 15]
