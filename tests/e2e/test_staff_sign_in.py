"""A staff member signs in in a real browser; the sign-in page passes axe-core."""

import pytest

from tests.factories import TEST_PASSWORD

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_a_counselor_in_and_out(page, personas, artifacts_dir):
    page.goto("/accounts/login/")
    assert serious_violations(page) == []
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/home/")
    assert page.get_by_role("heading", name="Welcome, Alice").is_visible()
    assert page.get_by_role("cell", name="Lincoln High").is_visible()
    page.screenshot(path=str(artifacts_dir / "staff-home.png"), full_page=True)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_it_reaches_the_main_content_with_the_skip_link(page, personas):
    page.goto("/accounts/password/reset/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
