"""Landing and type-ahead, privacy page, crisis information, Spanish, nothing third-party."""

import re

import pytest

from tipline.models import Tip

from .web_helpers import (
    tip_payload,
    web_env,  # noqa: F401
)

pytestmark = pytest.mark.django_db
PUBLIC_PAGES = ["/", "/s/lincoln-high/", "/followup/", "/privacy/"]


def test_it_finds_schools_by_part_of_their_name(client, personas):
    results = client.get("/schools/search/?q=linc", HTTP_HX_REQUEST="true").content.decode()
    assert 'href="/s/lincoln-high/"' in results and "Roosevelt" not in results
    assert "No school matches" in client.get("/schools/search/?q=zzz").content.decode()
    landing = client.get("/?q=roose").content.decode()
    assert 'href="/s/roosevelt-middle/"' in landing
    assert 'hx-get="/schools/search/"' in landing


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_it_shows_crisis_lines_and_loads_nothing_third_party(client, personas, url):
    html = client.get(url).content.decode()
    assert 'href="tel:911"' in html and 'href="tel:988"' in html and "741741" in html
    for attribute in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not attribute.startswith(("http:", "https:", "//")), attribute


def test_it_explains_what_is_and_is_not_kept(client, personas):
    html = client.get("/privacy/").content.decode()
    assert "What we do not collect" in html and "IP address" in html


def test_it_serves_the_form_in_spanish_from_the_browser_language(client, personas):
    html = client.get("/s/lincoln-high/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html
    assert "¿Qué está pasando?" in html
    assert "Enviar mi aviso" in html
    assert "Amenaza de violencia o ataque planeado" in html
    assert "Llama al 911" in html


def test_it_switches_language_and_records_it_on_the_tip(client, personas):
    client.post("/i18n/setlang/", {"language": "es", "next": "/s/lincoln-high/"})
    assert "¿Qué está pasando?" in client.get("/s/lincoln-high/").content.decode()
    empty = client.post("/s/lincoln-high/", {}).content.decode()
    assert "Este campo es requerido" in empty
    receipt = client.post("/s/lincoln-high/", tip_payload(), follow=True).content.decode()
    assert "Tu código de recibo" in receipt and "Ya guardé mi código" in receipt
    assert Tip.objects.get().language == "es"
    assert Tip.objects.get().reporter.language == "es"


def test_it_answers_a_wrong_code_in_spanish(client, personas):
    html = client.post(
        "/followup/", {"code": "AAAA-BBBB-CCCC-DDDD"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "No pudimos abrir un aviso con ese código" in html
