"""A student sends a tip, reloads the receipt, goes Back and sends the form again: one case,
the same receipt code every time, and no code once they pressed Done."""

import pytest

from tests.tipline.web_helpers import web_env  # noqa: F401
from tipline.models import Case, OutboundNotice, Tip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _send(page) -> str:
    page.get_by_role("button", name="Send my tip").click()
    page.wait_for_url("**/receipt/")
    return page.locator("#receipt-code").inner_text().strip()


def test_it_stores_a_tip_once_through_reload_back_and_resubmit(
    page, live_server, personas, artifacts_dir
):
    page.goto("/s/lincoln-high/")
    page.get_by_label("What is happening?").fill("Two students are planning a fight at 3pm.")
    page.get_by_label("What is it about?").select_option("fight")
    page.get_by_label("No", exact=True).check()
    code = _send(page)

    page.reload()
    page.wait_for_selector("#receipt-code")
    assert page.locator("#receipt-code").inner_text().strip() == code

    page.go_back()
    page.wait_for_url("**/s/lincoln-high/")
    body = page.get_by_label("What is happening?")
    assert body.input_value() == "Two students are planning a fight at 3pm."
    page.screenshot(path=str(artifacts_dir / "tip-form-after-back.png"), full_page=True)
    assert _send(page) == code
    assert (Case.objects.count(), Tip.objects.count(), OutboundNotice.objects.count()) == (1, 1, 1)

    page.get_by_label("I have saved my code").check()
    page.get_by_role("button", name="Done").click()
    page.wait_for_url("**/receipt/saved/")
    page.go_back()
    page.go_back()
    page.wait_for_url("**/s/lincoln-high/")
    page.get_by_role("button", name="Send my tip").click()
    page.wait_for_url("**/receipt/")
    page.wait_for_selector("text=received once")
    assert code not in page.content()
    page.screenshot(path=str(artifacts_dir / "tip-receipt-gone.png"), full_page=True)
    assert Case.objects.count() == 1
