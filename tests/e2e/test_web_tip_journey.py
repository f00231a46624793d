"""A student sends a tip with a photo from a phone, a counselor replies, the student answers.

Also: the form in Spanish, and axe-core on every public page of the journey.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD
from tests.tipline.web_helpers import jpeg_with_gps
from tipline.models import Message, Tip

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
RECEIPT_CODE = re.compile(r"^\s*(?:[0-9A-Z]{4}-){3}[0-9A-Z]{4}\s*$")


def _photo(tmp_path):
    path = tmp_path / "hallway.jpg"
    path.write_bytes(jpeg_with_gps().read())
    return path


def test_it_carries_a_conversation_from_tip_to_answer(
    page, new_context, personas, artifacts_dir, tmp_path
):
    page.goto("/")
    assert serious_violations(page) == []
    page.get_by_label("Find your school").fill("Linc")
    page.get_by_role("link", name="Lincoln High").click()
    page.wait_for_url("**/s/lincoln-high/")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Send my tip").click()
    page.wait_for_selector("#form-errors")
    page.screenshot(path=str(artifacts_dir / "tip-form-errors.png"), full_page=True)
    assert serious_violations(page) == []
    expect(page.locator("#id_body")).to_have_attribute("aria-invalid", "true")

    # Keyboard only from here: type, pick, tick and send without the mouse.
    page.locator("#id_body").focus()
    page.keyboard.type("Someone posted a photo of a gun and said they'd bring it Friday.")
    page.get_by_label("What is it about?").select_option("threat")
    page.get_by_label("Not sure").focus()
    page.keyboard.press("Space")
    page.get_by_label("Photos or PDF files (optional)").set_input_files(str(_photo(tmp_path)))
    page.screenshot(path=str(artifacts_dir / "tip-form-filled.png"), full_page=True)
    page.get_by_role("button", name="Send my tip").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#receipt-code")).to_have_text(RECEIPT_CODE)
    code = page.locator("#receipt-code").inner_text().strip()
    page.screenshot(path=str(artifacts_dir / "tip-receipt.png"), full_page=True)
    assert serious_violations(page) == []
    tip = Tip.objects.get()
    assert tip.danger_now == "not_sure" and tip.attachments.count() == 1
    page.get_by_label("I have saved my code").check()
    page.get_by_role("button", name="Done").click()
    page.wait_for_url("**/receipt/saved/")

    staff = new_context(viewport={"width": 1280, "height": 900})
    counselor = staff.new_page()
    counselor.goto("/accounts/login/")
    counselor.get_by_label("Email").fill("alice@example.org")
    counselor.get_by_label("Password").fill(TEST_PASSWORD)
    counselor.get_by_role("button", name="Sign in").click()
    counselor.wait_for_url("**/staff/")
    counselor.goto("/staff/cases/")
    counselor.get_by_role("link", name=tip.case.reference).click()
    expect(counselor.get_by_text("photo of a gun")).to_be_visible()
    counselor.get_by_label("Message to the tipster").fill("Thank you. Which account posted it?")
    counselor.get_by_role("button", name="Send reply").click()
    expect(counselor.locator("#case-announcer")).to_contain_text("sent to the tipster")
    counselor.screenshot(path=str(artifacts_dir / "staff-case-detail.png"), full_page=True)
    staff.close()

    student = new_context(viewport=PHONE).new_page()
    student.goto("/followup/")
    assert serious_violations(student) == []
    student.get_by_label("Your receipt code").fill(code.lower().replace("-", " "))
    student.get_by_role("button", name="Open my tip").click()
    student.wait_for_url("**/followup/thread/")
    expect(student.get_by_text("Which account posted it?")).to_be_visible()
    assert serious_violations(student) == []
    student.get_by_label("Your answer").fill("It was @someone_on_insta")
    student.get_by_role("button", name="Send my answer").click()
    expect(student.get_by_text("Your answer was sent.")).to_be_visible()
    student.screenshot(path=str(artifacts_dir / "followup-thread.png"), full_page=True)
    answer = Message.objects.get(direction="in")
    assert answer.body == "It was @someone_on_insta" and answer.case == tip.case


def test_it_takes_a_tip_in_spanish(new_context, personas, artifacts_dir):
    page = new_context(viewport=PHONE, locale="es-ES").new_page()
    page.goto("/s/lincoln-high/")
    expect(page.get_by_role("heading", name="Enviar un aviso a Lincoln High")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("¿Qué está pasando?").fill("Están acosando a un compañero en el autobús.")
    page.get_by_label("¿De qué se trata?").select_option("bullying")
    page.get_by_label("Sí", exact=True).check()
    page.screenshot(path=str(artifacts_dir / "tip-form-es.png"), full_page=True)
    page.get_by_role("button", name="Enviar mi aviso").click()
    expect(page.locator("#receipt-code")).to_have_text(RECEIPT_CODE)
    expect(
        page.get_by_role("heading", name="Si alguien está en peligro ahora mismo")
    ).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "tip-receipt-es.png"), full_page=True)
    assert serious_violations(page) == []
    assert Tip.objects.get().language == "es"
