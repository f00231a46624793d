"""The case queue a counselor keeps open: a new life-safety case appears without a reload,
highlighted, with a banner and the sound cue; the keyboard moves, opens and acknowledges."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.e2e.staff import sign_in
from tests.factories import case_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}


def test_a_new_life_safety_case_appears_with_a_banner_and_a_sound(new_context, personas, settings):
    settings.QUEUE_LIVE_SECONDS = 1
    old = case_factory(personas.school_a, body="Vapes sold in the east bathroom", alias="Fox")
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, "alice@example.org")
    page.goto("/staff/cases/")
    expect(page.get_by_role("link", name=old.reference)).to_be_visible()
    # The preview and the inferred category of the text.
    expect(page.locator(f'tr[data-case-id="{old.id}"] .case-preview')).to_have_text(
        "Vapes sold in the east bathroom"
    )
    sound = page.get_by_role("button", name="Enable sound for new life-safety cases")
    sound.click()
    expect(page.locator("#queue-sound-toggle")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("localStorage.getItem('tipline.queueSound')") == "on"
    cues = int(page.locator("#queue-live").get_attribute("data-sound-cues") or 0)
    page.evaluate("window.stillTheSamePage = true")

    # A tip arrives from outside the page (through the product's own intake).
    new = case_factory(
        personas.school_a, category="other", body="he brought a gun in his backpack", alias="Owl"
    )
    assert Case.objects.get(id=new.id).priority == 1  # life safety

    row = page.locator(f'tr[data-case-id="{new.id}"]')
    expect(row).to_be_visible()
    expect(row).to_have_class(re.compile(r"queue-row-new"))
    expect(page.locator("#queue-banner")).to_have_text("New life-safety case in the queue.")
    expect(page.locator("#queue-live")).to_have_attribute("data-sound-cues", str(cues + 1))
    assert page.evaluate("window.stillTheSamePage") is True
    # Tabs and heading agree, and moved together.
    expect(page.locator('[data-queue-count="all"]')).to_have_text("2")
    expect(page.locator("#queue-heading")).to_contain_text("2 cases")


def test_the_keyboard_moves_opens_and_acknowledges(new_context, personas, settings):
    settings.QUEUE_LIVE_SECONDS = 1
    first = case_factory(personas.school_a, category="weapon", body="knife", alias="Fox")
    second = case_factory(personas.school_a, body="they keep calling me names", alias="Owl")
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, "alice@example.org")
    page.goto("/staff/cases/")
    focused = page.locator("#case-queue tr.queue-row-focus")

    page.keyboard.press("j")
    expect(focused).to_have_attribute("data-case-id", str(first.id))
    page.keyboard.press("j")
    expect(focused).to_have_attribute("data-case-id", str(second.id))
    page.keyboard.press("k")
    expect(focused).to_have_attribute("data-case-id", str(first.id))

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    # "/" goes to the search box; letters typed there are text, not shortcuts.
    page.keyboard.press("/")
    search = page.get_by_label("Search", exact=True)
    expect(search).to_be_focused()
    page.keyboard.type("jk")
    expect(search).to_have_value("jk")
    expect(focused).to_have_attribute("data-case-id", str(first.id))
    search.fill("")
    page.locator(f'tr[data-case-id="{first.id}"] a.case-link').focus()

    with page.expect_request_finished(lambda request: "/acknowledge/" in request.url):
        page.keyboard.press("a")
    assert Case.objects.get(id=first.id).acknowledged_at is not None

    page.locator(f'tr[data-case-id="{second.id}"] a.case-link').focus()
    page.keyboard.press("o")
    page.wait_for_url(f"**/staff/cases/{second.id}/")
