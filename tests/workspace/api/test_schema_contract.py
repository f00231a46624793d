"""Contract testing: schemathesis generates requests from our OpenAPI schema and sends them
to the WSGI app as authenticated personas. No 5xx, and every response (status, content type,
body) matches the schema. Bounded examples, so it runs in seconds."""

import re

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.api_tokens import api_token_create
from tests.factories import case_factory

from .conftest import make_alert

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 6
# The vendors' push API authenticates sources, not staff; tests/alerts/test_push_api.py has it.
SKIPPED = re.compile(r"^/api/v1/alerts/posts/$")


@pytest.fixture
def generous_rates(settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {"api_read": "100000/minute", "api_write": "100000/minute"}
    settings.REST_FRAMEWORK = rest


@pytest.fixture
def _keep_test_connection():
    # The WSGI handler closes the database connection after each request, which would end
    # the test's transaction; Django's own test client unhooks the same signal receiver.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def schema(db, generous_rates, _keep_test_connection):
    config = schemathesis.Config()
    # NUL characters are refused for the whole site by config.middleware (400, plain text)
    # before any API view runs; generating them would only test that middleware.
    config.projects.default.generation.update(allow_x00=False)
    return schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=config)


@pytest.fixture
def real_ids(personas, source):
    """Ids of rows that exist, so generated requests also reach past the 404s."""
    case = case_factory(personas.school_a, alias="Fox")
    spare = case_factory(personas.school_a, alias="Elk")
    alert = make_alert(source, personas.school_a)
    return {
        "case_id": case.id,
        "alert_id": alert.id,
        "source_id": source.id,
        "school_id": personas.school_a.id,
        "district_id": personas.school_a.district_id,
        "spare": spare.id,
    }


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if not SKIPPED.match(operation.path):
            yield operation


@pytest.mark.parametrize("who", ["counselor_a", "principal_a", "district_admin"])
def test_it_answers_every_generated_request_as_the_schema_says(personas, schema, real_ids, who):
    _row, token = api_token_create(user=getattr(personas, who), name="contract")
    headers = {"Authorization": f"Bearer {token}"}
    operations = list(_operations(schema))
    assert len(operations) >= 18

    for operation in operations:

        @given(case=operation.as_strategy(), use_real=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case, use_real):
            if use_real and case.path_parameters:
                case.path_parameters = {
                    name: real_ids.get(name, value) for name, value in case.path_parameters.items()
                }
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()


def test_it_serves_the_schema_and_docs_from_vendored_assets(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/cases/{case_id}/transition/" in schema.content
    html = client.get("/api/docs/").content.decode()
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/" in link for link in links)
    # Everything from our own origin: no CDN, no fonts service.
    assert links and all(link.startswith("/") for link in links), links
    # The start-up script is a file of its own (the CSP allows no inline scripts).
    assert "<script>" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
