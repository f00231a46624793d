"""Staff sign-in for browser tests: the login form, then the landing page (the person's work)."""

from tests.factories import TEST_PASSWORD


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
