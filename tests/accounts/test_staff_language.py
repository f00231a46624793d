"""Staff read the product in their own language: the saved preference (User.language) wins
over the browser on every page once signed in; without one the switcher's cookie, then the
browser's Accept-Language, decide. The switcher names each language in itself."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import AccountEvent, User
from accounts.services import account_notice_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A request activates its language in this thread and leaves it there: later tests
    start from the site's default again."""
    yield
    translation.deactivate()


HOME = "/accounts/home/"
PROFILE = "/accounts/profile/"
SWITCHER = "/i18n/setlang/"


def _prefers(user, language):
    User.objects.filter(id=user.id).update(language=language)
    user.refresh_from_db()
    return user


def test_it_shows_a_signed_in_counselor_their_preferred_language_whatever_the_browser(
    client_for, personas
):
    client = client_for(_prefers(personas.counselor_a, "es"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = page.content.decode()
    assert '<html lang="es">' in html
    assert page["Content-Language"] == "es"
    assert "Sus escuelas" in html and "Your schools" not in html
    assert "Consejero(a)" in html  # the role, a model choice, in Spanish too


def test_it_shows_english_to_an_english_preference_whatever_the_browser(client_for, personas):
    client = client_for(_prefers(personas.counselor_a, "en"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert '<html lang="en">' in html and "Your schools" in html


@pytest.mark.parametrize("browser, expected", [("es-MX,es;q=0.9", "es"), ("en-US", "en")])
def test_it_follows_the_browser_for_staff_without_a_preference(
    client_for, personas, browser, expected
):
    client = client_for(personas.counselor_a)
    assert personas.counselor_a.language == ""
    page = client.get(HOME, HTTP_ACCEPT_LANGUAGE=browser)
    assert f'<html lang="{expected}">' in page.content.decode()


def test_it_follows_the_switchers_cookie_before_the_browser_without_a_preference(
    client_for, personas
):
    client = client_for(personas.counselor_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en-US")
    assert '<html lang="es">' in page.content.decode()


def test_it_saves_the_language_on_the_staff_members_own_settings_page(client_for, personas):
    client = client_for(personas.counselor_a)
    form = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="language"' in form and "Español" in form
    response = client.post(PROFILE, {"language": "es"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response.url == PROFILE
    personas.counselor_a.refresh_from_db()
    assert personas.counselor_a.language == "es"
    after = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Su idioma quedó guardado." in after and "Su configuración" in after
    client.post(PROFILE, {"language": ""})
    personas.counselor_a.refresh_from_db()
    assert personas.counselor_a.language == ""


def test_it_refuses_an_unknown_language_and_keeps_the_saved_one(client_for, personas):
    client = client_for(_prefers(personas.counselor_a, "es"))
    response = client.post(PROFILE, {"language": "xx"})
    assert response.status_code == 400
    personas.counselor_a.refresh_from_db()
    assert personas.counselor_a.language == "es"


def test_it_sends_anonymous_visitors_of_the_settings_page_to_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_it_makes_the_switchers_choice_a_signed_in_staff_members_preference(client_for, personas):
    client = client_for(_prefers(personas.counselor_a, "en"))
    response = client.post(SWITCHER, {"language": "es", "next": HOME})
    assert response.status_code == 302 and response.url == HOME
    personas.counselor_a.refresh_from_db()
    assert personas.counselor_a.language == "es"
    assert '<html lang="es">' in client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_it_switches_an_anonymous_visitor_by_cookie_only(client, personas):
    response = client.post(SWITCHER, {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es">' in client.get("/").content.decode()
    assert set(User.objects.values_list("language", flat=True)) == {""}


@pytest.mark.parametrize("page_language", ["en", "es"])
@pytest.mark.parametrize("path", ["/", HOME])
def test_it_names_each_language_in_itself_on_public_and_staff_pages(
    client_for, personas, page_language, path
):
    client = client_for(personas.counselor_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = page_language
    html = client.get(path).content.decode()
    options = re.findall(r'<option value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</option>', html)
    assert options == [("en", "en", "English"), ("es", "es", "Español")]
    assert "Inglés" not in html


def test_it_emails_an_account_notice_in_the_owners_language(personas):
    owner = _prefers(personas.counselor_a, "es")
    event = AccountEvent.objects.create(
        user=owner, kind=AccountEvent.Kind.PASSWORD_CHANGED, actor=owner, data={}
    )
    account_notice_send(event=event)
    (message,) = mail.outbox
    assert "Se cambió su contraseña" in message.subject
    assert "Hola, " in message.body


def test_it_names_each_language_in_itself_on_the_settings_page(client_for, personas):
    client = client_for(_prefers(personas.counselor_a, "es"))
    html = client.get(PROFILE).content.decode()
    assert re.search(
        r'<label class="form-check-label" for="id_language_1" lang="en">English<', html
    )
    assert re.search(
        r'<label class="form-check-label" for="id_language_2" lang="es">Español<', html
    )
    assert re.search(r'id="id_language_2" checked', html)


def test_it_emails_a_password_reset_link_in_the_owners_language(client, personas):
    _prefers(personas.counselor_a, "es")
    response = client.post(
        reverse("accounts:password_reset"),
        {"email": "alice@example.org"},
        HTTP_ACCEPT_LANGUAGE="en-US",
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "Restablezca su contraseña" in message.subject
    assert "Elija una contraseña nueva aquí:" in message.body
