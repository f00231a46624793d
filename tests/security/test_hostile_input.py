"""Hostile input at every public and webhook endpoint: a 4xx with a clear message (or, for
text that is merely nasty, an ordinary answer), never a 5xx, nothing stored unescaped, nothing
stored partially.

The endpoints are the public and webhook routes of config/urls.py, tipline/urls.py,
tipline/sms_urls.py, alerts/api_urls.py and accounts/urls.py (staff routes need a login and
have their own denial tests).
"""

import io
import zlib

import pytest
from django.test import Client
from PIL import Image

from accounts.models import School
from tipline.models import Attachment, Case, Message, Reporter, Tip

from ..tipline.sms_support import (  # noqa: F401
    inbound_params,
    numbers,
    post_signed,
    sms_fresh_state,
)
from ..tipline.web_helpers import tip_payload, web_env  # noqa: F401

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE tipline_tip; -- \" OR 1=1 --"
NUL = "before\x00after"
TEN_MB = 10 * 1024 * 1024 + 1
PUBLIC_GETS = [
    "/",
    "/?q=",
    "/schools/search/",
    "/s/lincoln-high/",
    "/receipt/saved/",
    "/followup/",
    "/followup/thread/",
    "/privacy/",
    "/healthz",
    "/accounts/login/",
]
POST_ENDPOINTS = [
    "/",
    "/schools/search/",
    "/s/lincoln-high/",
    "/receipt/saved/",
    "/followup/",
    "/followup/thread/",
    "/followup/leave/",
    "/privacy/",
    "/i18n/setlang/",
    "/accounts/login/",
    "/sms/twilio/inbound/",
    "/sms/twilio/status/1/",
    "/api/v1/alerts/posts/",
]


def _png_bomb() -> bytes:
    """A 20000 x 20000 PNG (400 megapixels) of a few hundred kilobytes."""
    header = Image.new("L", (1, 1))
    buffer = io.BytesIO()
    header.save(buffer, format="PNG")
    small = buffer.getvalue()
    width = height = 20000
    ihdr_data = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x00\x00\x00\x00"
    rows = zlib.compressobj(9)
    idat = b"".join(rows.compress(b"\x00" + b"\x00" * width) for _ in range(height))
    idat += rows.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    return small[:8] + chunk(b"IHDR", ihdr_data) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _stored() -> tuple:
    return tuple(model.objects.count() for model in (Tip, Case, Reporter, Message, Attachment))


def _assert_no_5xx(response, label):
    assert response.status_code < 500, f"{label}: {response.status_code}"


RAW_BODIES = [
    (
        "invalid utf-8 form",
        b"body=\xff\xfe\xfa&category=\xc3\x28",
        "application/x-www-form-urlencoded",
    ),
    ("nul form", b"body=a%00b&category=other&danger_now=no", "application/x-www-form-urlencoded"),
    ("json to a form", b'{"body": "x"}', "application/json"),
    ("xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "text/xml"),
    ("garbage json", b"{\xff not json", "application/json"),
    (
        "bad multipart",
        b'--XX\r\nContent-Disposition: form-data; name="body"\r\n\r\nno end',
        "multipart/form-data; boundary=XX",
    ),
    ("multipart without boundary", b"--XX\r\n\r\n", "multipart/form-data"),
    ("ten megabytes", b"body=" + b"a" * TEN_MB, "application/x-www-form-urlencoded"),
    ("octet stream", b"\x00\x01\x02" * 1000, "application/octet-stream"),
]


@pytest.mark.parametrize("label,body,content_type", RAW_BODIES, ids=[b[0] for b in RAW_BODIES])
def test_it_answers_every_endpoint_without_a_5xx_and_stores_nothing(
    personas,
    numbers,  # noqa: F811
    label,
    body,
    content_type,
):
    client = Client(raise_request_exception=False)
    before = _stored()
    for path in POST_ENDPOINTS:
        response = client.generic("POST", path, body, content_type=content_type)
        _assert_no_5xx(response, f"{label} -> {path}")
        if path in ("/s/lincoln-high/", "/sms/twilio/inbound/", "/api/v1/alerts/posts/"):
            assert 400 <= response.status_code < 500, f"{label} -> {path}"
    assert _stored() == before


@pytest.mark.parametrize("payload", [SCRIPT, SQL, NUL, "A" * 100_000, "ａ" * 5000])
def test_it_survives_nasty_query_strings_and_fields(personas, payload):
    client = Client(raise_request_exception=False)
    for path in PUBLIC_GETS:
        _assert_no_5xx(client.get(path, {"q": payload, "next": payload}), path)
    before = _stored()
    for path in POST_ENDPOINTS:
        data = {"body": payload, "code": payload, "language": payload, "username": payload}
        _assert_no_5xx(client.post(path, data), path)
    assert _stored() == before


def test_it_refuses_nul_bytes_with_a_clear_message(client, personas):
    response = client.post("/s/lincoln-high/", tip_payload(body=NUL))
    assert response.status_code == 400
    assert "contains NUL characters" in response.content.decode()
    assert client.get("/", {"q": NUL}).status_code == 400
    assert _stored() == (0, 0, 0, 0, 0)


def test_it_stores_script_and_sql_as_plain_text_and_shows_it_escaped(
    client, personas, django_user_model
):
    response = client.post("/s/lincoln-high/", tip_payload(body=SCRIPT + SQL, location=SCRIPT))
    assert response.status_code == 303
    tip = Tip.objects.get()
    assert tip.body == SCRIPT + SQL
    client.force_login(personas.counselor_a)
    page = client.get(f"/staff/cases/{tip.case_id}/").content.decode()
    assert "<script>alert" not in page and "<img src=x onerror" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_it_refuses_a_decompression_bomb_and_stores_no_part_of_the_tip(client, personas):
    bomb = io.BytesIO(_png_bomb())
    bomb.name = "bomb.png"
    response = client.post("/s/lincoln-high/", {**tip_payload(), "files": [bomb]})
    assert response.status_code == 400
    assert "image" in response.content.decode().lower()
    assert _stored() == (0, 0, 0, 0, 0)


def test_it_refuses_a_file_that_lies_about_its_type(client, personas):
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "photo.png"
    response = client.post("/s/lincoln-high/", {**tip_payload(), "files": [fake]})
    assert response.status_code == 400
    assert _stored() == (0, 0, 0, 0, 0)


def test_it_refuses_a_file_over_ten_megabytes(client, personas):
    big = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * TEN_MB)
    big.name = "big.png"
    response = client.post("/s/lincoln-high/", {**tip_payload(), "files": [big]})
    assert response.status_code in (400, 413)
    assert _stored() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("body", [SCRIPT, SQL, NUL, "x" * 20_000])
def test_it_takes_hostile_sms_texts_without_a_5xx(client, personas, numbers, body):  # noqa: F811
    params = inbound_params(body, MessageSid="SM" + "\x00" * 32 if body == NUL else None)
    params = {key: value for key, value in params.items() if value is not None}
    response = post_signed(client, params)
    _assert_no_5xx(response, body[:20])
    # The text is kept as sent (encrypted, so PostgreSQL never sees a NUL) and never shown
    # unescaped; a NUL in the MessageSid is refused before it reaches a column.
    assert Tip.objects.count() <= 1


def test_it_refuses_an_unsigned_or_missigned_webhook(client, personas, numbers):  # noqa: F811
    params = inbound_params("hello")
    assert client.post("/sms/twilio/inbound/", params).status_code == 403
    forged = client.post("/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE="x" * 28)
    assert forged.status_code == 403
    assert b"Invalid Twilio signature" in forged.content
    assert _stored() == (0, 0, 0, 0, 0)


def test_it_keeps_school_names_untouched_by_sql_in_search(client, personas):
    names = sorted(School.objects.values_list("name", flat=True))
    client.get("/schools/search/", {"q": SQL})
    client.get("/", {"q": SQL})
    assert sorted(School.objects.values_list("name", flat=True)) == names


@pytest.mark.parametrize(
    "forwarded",
    [
        SCRIPT,
        NUL,
        ", , ,",
        "unknown",
        "[::1",
        "1.2.3.4:99999",
        "ａ" * 5000,
        ",".join(["10.0.0.1"] * 2000),
    ],
)
def test_it_takes_hostile_forwarded_for_headers_behind_a_proxy(
    client, personas, settings, forwarded
):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    headers = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded}
    response = client.post("/s/lincoln-high/", tip_payload(), **headers)
    assert response.status_code == 303
    assert client.post("/followup/", {"code": "AAAA-BBBB-CCCC-DDDD"}, **headers).status_code == 200
