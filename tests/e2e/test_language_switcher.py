"""The language switcher in a real browser: it names each language in itself, switching
keeps what was typed (the web tip form, the follow-up answer, a staff note), and a staff
member who chose Spanish reads the staff pages in Spanish."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import TEST_PASSWORD, case_factory
from tipline.models import Message, Tip

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
RECEIPT_CODE = re.compile(r"^\s*(?:[0-9A-Z]{4}-){3}[0-9A-Z]{4}\s*$")
HALF_WRITTEN = "A boy in 8th grade keeps saying he will bring his dad's gun to the"
ANSWER = "It was in the gym, near the lockers"


def _switch_to(page, language_name: str, button_name: str):
    page.locator("#language-select").select_option(label=language_name)
    page.get_by_role("button", name=button_name, exact=True).click()


def _kept_entries(page) -> int:
    return page.evaluate(
        "Object.keys(sessionStorage).filter(k => k.startsWith('keep-typing:')).length"
    )


def test_it_keeps_a_half_written_tip_and_answer_through_a_language_switch(new_context, personas):
    page = new_context(viewport=PHONE, locale="en-US").new_page()
    page.goto("/s/lincoln-high/")
    expect(page.get_by_role("heading", name="Send a tip to Lincoln High")).to_be_visible()
    options = page.locator("#language-select option")
    expect(options).to_have_text(["English", "Español"])
    expect(page.locator("#language-select option[lang=es]")).to_have_text("Español")

    page.get_by_label("What is happening?").fill(HALF_WRITTEN)
    page.get_by_label("Where? (optional)").fill("bus stop")
    page.get_by_label("What is it about?").select_option("weapon")
    page.get_by_label("Not sure").check()
    _switch_to(page, "Español", "Change")

    expect(page.get_by_role("heading", name="Enviar un aviso a Lincoln High")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#language-select option")).to_have_text(["English", "Español"])
    expect(page.get_by_label("¿Qué está pasando?")).to_have_value(HALF_WRITTEN)
    expect(page.locator("#id_location")).to_have_value("bus stop")
    expect(page.get_by_label("¿De qué se trata?")).to_have_value("weapon")
    expect(page.locator("input[name=danger_now][value=not_sure]")).to_be_checked()
    assert _kept_entries(page) == 0  # put back once, then forgotten

    page.get_by_label("¿Qué está pasando?").press_sequentially(" school on Friday.")
    page.get_by_role("button", name="Enviar mi aviso").click()
    expect(page.locator("#receipt-code")).to_have_text(RECEIPT_CODE)
    code = page.locator("#receipt-code").inner_text().strip()
    assert _kept_entries(page) == 0
    tip = Tip.objects.get()
    assert tip.body == HALF_WRITTEN + " school on Friday." and tip.location == "bus stop"

    page.goto("/followup/")
    page.get_by_label("Tu código de recibo").fill(code)
    page.get_by_role("button", name="Abrir mi aviso").click()
    page.wait_for_url("**/followup/thread/")
    page.get_by_label("Tu respuesta").fill(ANSWER)
    _switch_to(page, "English", "Cambiar")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Your answer")).to_have_value(ANSWER)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer was sent.")).to_be_visible()
    assert Message.objects.get(direction="in").body == ANSWER
    assert _kept_entries(page) == 0


def test_it_shows_a_counselor_who_chose_spanish_the_staff_pages_in_spanish(new_context, personas):
    case = case_factory(personas.school_a, category="weapon", body="he has a knife")
    page = new_context(viewport=DESKTOP, locale="en-US").new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    page.get_by_role("link", name="Your language and settings").click()
    page.wait_for_url("**/accounts/profile/")
    assert serious_violations(page) == []
    page.get_by_label("Español").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Su idioma quedó guardado.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert serious_violations(page) == []
    assert User.objects.get(email="alice@example.org").language == "es"

    page.goto("/staff/cases/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    row = page.locator("tr", has=page.get_by_role("link", name=case.reference))
    expect(row.locator(".badge.text-bg-danger")).to_have_text("Riesgo vital")
    expect(row).to_contain_text("Arma")
    row.get_by_role("link", name=case.reference).click()
    page.wait_for_url(f"**/staff/cases/{case.id}/")
    expect(page.get_by_text("Categoría: Arma")).to_be_visible()

    # A half-written internal note survives switching back to English.
    note = page.locator("#id_noteform_body")
    expect(page.locator("label[for=id_noteform_body]")).to_contain_text("Nota interna")
    note.fill("Called the dean, waiting")
    _switch_to(page, "English", "Cambiar")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("label[for=id_noteform_body]")).to_contain_text("Internal note")
    expect(note).to_have_value("Called the dean, waiting")
    expect(page.get_by_text("Category: Weapon")).to_be_visible()
    assert User.objects.get(email="alice@example.org").language == "en"
