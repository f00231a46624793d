"""At phone width in a real browser: the finder forgives a typo, the follow-up page says a
counselor replied, and the printable poster shows the link, QR code and SMS number in both
languages. axe-core on each; screenshots in test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import PhoneNumber
from cases.models import Case, CaseStatus
from tests.e2e.staff import sign_in
from tipline.services.tips import message_to_reporter

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_finds_lincoln_from_a_typo_and_shows_the_reply(page, personas, artifacts_dir):
    page.goto("/")
    page.get_by_label("Find your school").fill("Lincon")
    link = page.get_by_role("link", name="Lincoln High")
    expect(link).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "finder-typo-phone.png"), full_page=True)
    assert serious_violations(page) == []
    link.click()
    page.wait_for_url("**/s/lincoln-high/")
    page.locator("#id_body").fill("Someone is selling vapes in the east bathroom.")
    page.get_by_label("What is it about?").select_option("substances")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Send my tip").click()
    code = page.locator("#receipt-code")
    expect(code).to_have_text(re.compile(r"^\s*[0-9A-Z]{4}(-[0-9A-Z]{4}){3}\s*$"))
    receipt = code.inner_text().strip()

    case = Case.objects.get()
    message_to_reporter(
        case=case,
        reporter=case.tips.get().reporter,
        body="Thank you. Is it every morning?",
        author=personas.counselor_a,
    )
    page.goto("/followup/")
    page.get_by_label("Your receipt code").fill(receipt)
    page.get_by_role("button", name="Open my tip").click()
    page.wait_for_url("**/followup/thread/")
    expect(page.locator("#replied-on")).to_contain_text("A counselor replied on")
    expect(page.get_by_text("New reply")).to_be_visible()
    expect(page.get_by_text("Is it every morning?")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "followup-replied-phone.png"), full_page=True)
    assert serious_violations(page) == []

    Case.objects.filter(id=case.id).update(status=CaseStatus.CLOSED)
    page.reload()
    next_steps = page.get_by_role("region", name="What you can do now")
    expect(next_steps.get_by_role("link", name="Send a new tip to Lincoln High")).to_be_visible()
    expect(next_steps.get_by_role("link", name="Call 911")).to_be_visible()
    expect(page.get_by_role("button", name="Send my answer")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "followup-closed-phone.png"), full_page=True)
    assert serious_violations(page) == []


def test_it_prints_the_poster_in_both_languages(page, personas, artifacts_dir):
    PhoneNumber.objects.create(
        number="+13035550101", district=personas.school_a.district, school=personas.school_a
    )
    sign_in(page, "alice@example.org")
    page.goto("/staff/schools/lincoln-high/poster/")
    poster = page.locator("section.poster")
    expect(poster.get_by_role("link", name="(303) 555-0101")).to_be_visible()
    expect(poster.get_by_text("Worried about someone? Tell us.")).to_be_visible()
    expect(poster.get_by_text("¿Te preocupa alguien? Cuéntanos.")).to_be_visible()
    expect(poster.get_by_role("img", name="QR code for")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "poster-phone.png"), full_page=True)
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 816, "height": 1056})
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print the poster")).to_be_hidden()
    page.screenshot(path=str(artifacts_dir / "poster-print.png"), full_page=True)
    page.pdf(path=str(artifacts_dir / "poster.pdf"), format="Letter")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Español", exact=True).click()
    page.wait_for_url("**language=es")
    expect(poster.get_by_text("Worried about someone? Tell us.")).to_have_count(0)
    expect(poster.get_by_text("O envía un mensaje de texto al", exact=True)).to_be_visible()
