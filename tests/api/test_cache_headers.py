"""API answers carry decrypted tip text: none may be stored by a browser or a proxy."""

import pytest
from rest_framework.test import APIClient

from .conftest import open_case


@pytest.fixture
def case(personas):
    return open_case(personas.school_a, body="a tip that must not sit in any cache")


def _never_cached(response) -> bool:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"no-store", "no-cache", "private", "max-age=0"} <= directives


def test_it_sends_no_store_with_decrypted_tip_text(personas, api_as, case):
    api = api_as(personas.counselor_a)
    for url in (f"/api/v1/cases/{case.id}/", f"/api/v1/cases/{case.id}/tips/", "/api/v1/cases/"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert _never_cached(response), url


def test_it_sends_the_same_headers_as_the_staff_case_page(personas, api_as, client_for, case):
    api = api_as(personas.counselor_a).get(f"/api/v1/cases/{case.id}/")
    page = client_for(personas.counselor_a).get(f"/staff/cases/{case.id}/")
    assert page.status_code == 200
    assert api["Cache-Control"] == page["Cache-Control"]


def test_it_sends_no_store_on_errors_and_writes_too(personas, api_as, case):
    api = api_as(personas.counselor_b)
    assert _never_cached(api.get(f"/api/v1/cases/{case.id}/"))  # 404: not in B's scope
    assert _never_cached(APIClient().get("/api/v1/cases/"))  # 401
    assert _never_cached(api.get("/api/v1/nothing-here/"))
    note = api_as(personas.counselor_a).post(f"/api/v1/cases/{case.id}/notes/", {"body": "x"})
    assert note.status_code == 201 and _never_cached(note)


def test_it_leaves_public_pages_to_their_own_rules(client):
    # The middleware is for /api/ only: a public page is not touched by it.
    response = client.get("/privacy/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
