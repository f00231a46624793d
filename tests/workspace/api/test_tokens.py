"""Personal API tokens: created and shown once, hashed at rest, last use, revoke, expiry;
the staff page at /accounts/tokens/; session use of the API with CSRF enforced."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create, api_token_revoke
from accounts.models import ApiToken

CASES = "/api/v1/cases/"


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_it_creates_a_token_on_the_staff_page_and_shows_it_once(personas, client_for):
    client = client_for(personas.counselor_a)
    response = client.post("/accounts/tokens/", {"name": "SIS sync"})
    assert response.status_code == 200
    token = response.context["new_token"]
    assert token.startswith("tl_") and token in response.content.decode()
    row = ApiToken.objects.get(user=personas.counselor_a)
    # Hashed at rest: only the SHA-256 and the short prefix are stored.
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.digest, row.prefix, row.name}
    assert token.startswith(f"tl_{row.prefix}_")
    again = client.get("/accounts/tokens/").content.decode()
    assert token not in again and row.prefix in again
    assert bearer(token).get(CASES).status_code == 200


def test_it_records_the_last_use(personas):
    row, token = api_token_create(user=personas.counselor_a, name="sync")
    assert row.last_used_at is None
    assert bearer(token).get(CASES).status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None and timezone.now() - row.last_used_at < timedelta(minutes=1)


def test_it_stops_a_revoked_token(personas, client_for):
    row, token = api_token_create(user=personas.counselor_a, name="sync")
    client = client_for(personas.counselor_a)
    response = client.post(f"/accounts/tokens/{row.id}/revoke/")
    assert response.status_code == 302
    response = bearer(token).get(CASES)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_lets_only_the_owner_revoke(personas, client_for):
    row, token = api_token_create(user=personas.counselor_a, name="sync")
    response = client_for(personas.district_admin).post(f"/accounts/tokens/{row.id}/revoke/")
    assert response.status_code == 404
    with pytest.raises(ValueError):
        api_token_revoke(token=row, actor=personas.district_admin)
    assert bearer(token).get(CASES).status_code == 200


def test_it_refuses_an_expired_token(personas):
    row, token = api_token_create(
        user=personas.counselor_a, name="short", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert bearer(token).get(CASES).status_code == 200
    ApiToken.objects.filter(id=row.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(token).get(CASES).status_code == 401
    with pytest.raises(ValueError):
        api_token_create(user=personas.counselor_a, name="past", expires_at=timezone.now())


def test_it_refuses_tampered_and_malformed_tokens(personas):
    _row, token = api_token_create(user=personas.counselor_a, name="sync")
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "tl_short_x", "nonsense", ""):
        assert bearer(bad).get(CASES).status_code == 401


def test_it_stops_tokens_of_a_deactivated_user(personas):
    _row, token = api_token_create(user=personas.counselor_a, name="sync")
    personas.counselor_a.is_active = False
    personas.counselor_a.save()
    assert bearer(token).get(CASES).status_code == 401


def test_it_keeps_the_tokens_page_to_staff(db, client_for, personas):
    from tests.factories import UserFactory

    assert client_for(UserFactory()).get("/accounts/tokens/").status_code == 404
    anonymous = APIClient().get("/accounts/tokens/")
    assert anonymous.status_code == 302


def test_it_enforces_csrf_for_the_browser_session(personas, case_a):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(personas.counselor_a)
    assert browser.get(CASES).status_code == 200
    response = browser.post(f"{CASES}{case_a.id}/notes/", {"body": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
