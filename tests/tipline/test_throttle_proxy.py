"""Throttles behind the reference nginx: every request arrives from the proxy's address, and
each student still has a bucket of their own."""

import pytest

from tipline.models import Tip

from .web_helpers import (
    submit_tip,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db

NGINX = {"REMOTE_ADDR": "127.0.0.1"}


def via_nginx(address: str, sent_by_client: str = "") -> dict:
    """What gunicorn sees: nginx's address, and X-Forwarded-For as nginx sets it."""
    forwarded = f"{sent_by_client}, {address}" if sent_by_client else address
    return {**NGINX, "HTTP_X_FORWARDED_FOR": forwarded}


def test_it_keeps_one_students_tips_from_blocking_the_next_student(client, personas, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.TIPLINE_TIPS_PER_CLIENT = 5
    for _ in range(5):
        assert submit_tip(client, **via_nginx("198.51.100.10")).status_code == 200
    assert submit_tip(client, **via_nginx("198.51.100.10")).status_code == 429
    assert submit_tip(client, **via_nginx("198.51.100.11")).status_code == 200
    assert Tip.objects.count() == 6


def test_it_keeps_a_flooder_in_its_bucket_whatever_it_forwards(client, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TIPLINE_TIPS_PER_CLIENT = 2
    flooder = "203.0.113.66"
    for spoofed in ("192.0.2.1", "192.0.2.2"):
        assert submit_tip(client, **via_nginx(flooder, spoofed)).status_code == 200
    for spoofed in ("192.0.2.3", "192.0.2.4, 192.0.2.5", ""):
        assert submit_tip(client, **via_nginx(flooder, spoofed)).status_code == 429
    assert Tip.objects.count() == 2
