"""A staff member signs in in a real browser; the sign-in page passes axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_a_counselor_in_and_out(page, personas, artifacts_dir):
    page.goto("/accounts/login/")
    assert serious_violations(page) == []
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    page.get_by_role("link", name="Your account and two-factor sign-in").click()
    page.wait_for_url("**/accounts/home/")
    expect(page.get_by_role("cell", name="Lincoln High")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "staff-home.png"), full_page=True)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Toggle navigation").click()
    # Bootstrap swaps "collapsing" for "collapse show" when the menu has finished opening; a
    # click while it still grows can land where the button was a frame ago (seen under load).
    expect(page.locator("#staff-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    with page.expect_navigation(url=re.compile(r"/accounts/login/")):
        sign_out.click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_it_reaches_the_main_content_with_the_skip_link(page, personas):
    page.goto("/accounts/password/reset/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
