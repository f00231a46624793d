"""The webhooks believe only Twilio: signatures checked against PUBLIC_BASE_URL + path."""

import pytest
from twilio.request_validator import HMAC_SHA256, RequestValidator

from tipline.models import Tip

from .sms_support import INBOUND_PATH, inbound_params, post_signed, replies, sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("numbers")]
PUBLIC_URL = "https://tips.example.org" + INBOUND_PATH


def _post(client, params, signature, **headers):
    return client.post(INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature, **headers)


def test_it_accepts_a_valid_signature_and_answers_twiml(client):
    response = post_signed(client, inbound_params("a fight is planned"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response>" in response.content
    assert Tip.objects.count() == 1


def test_it_refuses_a_forged_signature(client):
    params = inbound_params("forged")
    response = _post(client, params, sign(PUBLIC_URL, params, token="not-the-auth-token"))
    assert response.status_code == 403
    assert Tip.objects.count() == 0


def test_it_refuses_a_missing_signature(client):
    assert client.post(INBOUND_PATH, inbound_params("no signature")).status_code == 403


def test_it_refuses_a_tampered_body(client):
    params = inbound_params("the original text")
    signature = sign(PUBLIC_URL, params)
    params["Body"] = "a different text"
    assert _post(client, params, signature).status_code == 403
    assert Tip.objects.count() == 0


def test_it_refuses_a_signature_for_another_url(client):
    params = inbound_params("wrong url")
    signature = sign("https://attacker.example.com" + INBOUND_PATH, params)
    assert _post(client, params, signature).status_code == 403


def test_it_checks_against_the_public_url_behind_a_proxy(client):
    """Behind a TLS proxy Django sees an internal host; the public URL is what Twilio signed."""
    params = inbound_params("via the proxy")
    proxy_headers = {
        "HTTP_HOST": "testserver",
        "HTTP_X_FORWARDED_HOST": "tips.example.org",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    assert _post(client, params, sign(PUBLIC_URL, params), **proxy_headers).status_code == 200


def test_it_ignores_host_and_forwarded_headers_a_forger_controls(client):
    params = inbound_params("forged host")
    signature = sign("https://evil.example.com" + INBOUND_PATH, params)
    headers = {"HTTP_X_FORWARDED_HOST": "evil.example.com", "HTTP_X_FORWARDED_PROTO": "https"}
    assert _post(client, params, signature, **headers).status_code == 403
    internal = sign("http://testserver" + INBOUND_PATH, params)
    assert _post(client, params, internal).status_code == 403


def test_it_includes_the_query_string_in_the_signed_url(client):
    params = inbound_params("with a query")
    path = INBOUND_PATH + "?source=console"
    good = sign("https://tips.example.org" + path, params)
    assert client.post(path, params, HTTP_X_TWILIO_SIGNATURE=good).status_code == 200
    params = inbound_params("query dropped")
    without_query = sign(PUBLIC_URL, params)
    assert client.post(path, params, HTTP_X_TWILIO_SIGNATURE=without_query).status_code == 403


def test_it_accepts_the_hmac_sha256_shared_key_variant(client, settings):
    params = inbound_params("signed with the shared key")
    signature = RequestValidator(settings.TWILIO_WEBHOOK_SHARED_KEY).compute_signature(
        PUBLIC_URL, params, HMAC_SHA256
    )
    header = {"HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS": "key=KS123,algorithm=HMAC_SHA256"}
    assert _post(client, params, signature, **header).status_code == 200
    # The same signature without the settings header is checked as SHA-1 with the Auth Token.
    assert _post(client, inbound_params("again"), signature).status_code == 403


def test_it_refuses_the_shared_key_variant_signed_with_the_auth_token(client):
    params = inbound_params("auth token, sha1, but the header says shared key")
    header = {"HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS": "key=KS123,algorithm=HMAC_SHA256"}
    assert _post(client, params, sign(PUBLIC_URL, params), **header).status_code == 403


def test_it_refuses_the_shared_key_variant_when_no_shared_key_is_configured(client, settings):
    key = settings.TWILIO_WEBHOOK_SHARED_KEY
    settings.TWILIO_WEBHOOK_SHARED_KEY = ""
    params = inbound_params("no key here")
    signature = RequestValidator(key).compute_signature(PUBLIC_URL, params, HMAC_SHA256)
    header = {"HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS": "key=KS1,algorithm=HMAC_SHA256"}
    assert _post(client, params, signature, **header).status_code == 403


def test_it_never_validates_under_an_empty_auth_token(client, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    params = inbound_params("empty key")
    assert _post(client, params, sign(PUBLIC_URL, params, token=" ")).status_code == 403
    signature = RequestValidator("").compute_signature(PUBLIC_URL, params)
    assert _post(client, params, signature).status_code == 403


def test_it_refuses_get_and_needs_no_csrf_token(client):
    assert client.get(INBOUND_PATH).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post_signed(strict, inbound_params("no csrf cookie")).status_code == 200


def test_it_signs_the_status_callback_too(client):
    path = "/sms/twilio/status/1/"
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    assert client.post(path, params, HTTP_X_TWILIO_SIGNATURE="bogus").status_code == 403
    assert post_signed(client, params, path=path).status_code == 204


def test_it_answers_an_unknown_number_with_empty_twiml(client):
    response = post_signed(client, inbound_params("hello", to="+13039999999"))
    assert response.status_code == 200
    assert replies(response) == []
    assert Tip.objects.count() == 0
