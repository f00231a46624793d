"""What public pages leave on a student's device: session cookies only, gone when the browser
closes. A long-lived csrftoken would tell anyone holding the phone that the tip line was
visited, for a year."""

import pytest

from ..tipline.web_helpers import web_env  # noqa: F401

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/s/lincoln-high/", "/followup/", "/privacy/"]


def _lasting(response) -> dict[str, str]:
    """Cookies set with an expiry, as their Set-Cookie header lines."""
    return {
        name: morsel.OutputString()
        for name, morsel in response.cookies.items()
        if morsel["expires"] or morsel["max-age"] != ""
    }


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_it_sets_only_session_cookies_on_public_pages(client, personas, url):
    response = client.get(url)
    assert response.status_code == 200
    assert _lasting(response) == {}


def test_it_sets_the_tip_forms_csrf_cookie_for_the_session_only(client, personas):
    response = client.get("/s/lincoln-high/")
    header = response.cookies["csrftoken"].OutputString()
    assert "csrftoken=" in header
    assert "expires" not in header.lower() and "max-age" not in header.lower()
    # The form still posts: the token in the page matches the session cookie.
    client_with_checks = client.__class__(enforce_csrf_checks=True)
    page = client_with_checks.get("/s/lincoln-high/")
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    posted = client_with_checks.post(
        "/s/lincoln-high/",
        {"csrfmiddlewaretoken": token, "body": "x", "category": "other", "danger_now": "no"},
    )
    assert posted.status_code == 303
    assert _lasting(posted) == {}  # the receipt cookie too


def test_it_remembers_the_language_for_the_session_only(client, personas):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert _lasting(response) == {}
