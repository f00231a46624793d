import json
import logging

import pytest
from django.test import RequestFactory

from config.logging import JsonLineFormatter

pytestmark = pytest.mark.django_db


def test_it_reports_database_and_broker_as_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["status"] == "ok"
    assert "broker" in body
    assert "SECRET" not in response.content.decode()


def test_it_reports_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"


def test_it_logs_json_lines_without_the_request():
    request = RequestFactory().post(
        "/tip/",
        data={"body": "secret tip text"},
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="TipsterPhone/1.0",
    )
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/tip/",), None
    )
    record.request = request
    record.status_code = 500
    line = JsonLineFormatter().format(record)
    payload = json.loads(line)
    assert payload["message"] == "Internal Server Error: /tip/"
    assert payload["status_code"] == 500
    for leak in ("203.0.113.77", "TipsterPhone", "secret tip text"):
        assert leak not in line
