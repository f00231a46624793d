"""In a browser: a counselor creates a token on /accounts/tokens/ (shown once) and reads the
API docs, whose Swagger UI runs from vendored files under the site's CSP."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_it_creates_a_token_and_shows_the_api_docs(page, live_server, personas, artifacts_dir):
    page.set_viewport_size({"width": 1280, "height": 900})
    outside = []
    page.on(
        "request",
        lambda request: None
        if request.url.startswith((live_server.url, "data:"))
        else outside.append(request.url),
    )
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")

    page.goto("/accounts/tokens/")
    page.get_by_label("Name").fill("District SIS sync")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token")).to_have_value(re.compile("^tl_"))
    token = page.get_by_test_id("new-token").input_value()
    page.screenshot(path=str(artifacts_dir / "api-token-created.png"), full_page=True)
    page.goto("/accounts/tokens/")
    assert token not in page.content()
    expect(page.get_by_role("button", name="Revoke District SIS sync")).to_be_visible()

    page.goto("/api/docs/")
    page.get_by_text("/api/v1/cases/{case_id}/transition/").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "api-docs.png"), full_page=False)
    assert outside == []
