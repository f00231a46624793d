"""The public address: PUBLIC_BASE_URL alone in production; in development, links and the
Twilio signature check follow the address the request came in on (`make run PORT=8001`)."""

import os
import shutil
import subprocess
import sys

import pytest
from django.core import mail

from tests.conftest import REPO_ROOT
from tests.tipline.sms_support import INBOUND_PATH, inbound_params, sign
from tests.tipline.web_helpers import submit_tip
from tipline.models import Message, Tip

SERVED = "http://127.0.0.1:8001"
HOST = {"HTTP_HOST": "127.0.0.1:8001"}
MIDDLEWARE = "accounts.public_address.ServedAddressMiddleware"

pytestmark = pytest.mark.usefixtures("web_env", "sms_fresh_state")


@pytest.fixture
def development(settings):
    """What config.settings.dev sets up, on a server started for port 8000."""
    settings.DEBUG = True
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    return settings


def _text(client, signed_for: str, **headers):
    params = inbound_params("a fight is planned at the park")
    signature = sign(signed_for + INBOUND_PATH, params)
    return client.post(INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature, **headers)


@pytest.mark.django_db
@pytest.mark.usefixtures("numbers", "development")
def test_it_accepts_in_development_a_text_signed_for_the_served_address(client, settings):
    assert _text(client, SERVED, **HOST).status_code == 200
    assert Tip.objects.count() == 1
    # PUBLIC_BASE_URL still works there (a tunnel Twilio calls through, say): a second text.
    assert _text(client, settings.PUBLIC_BASE_URL, **HOST).status_code == 200
    assert Message.objects.filter(direction="in").count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("numbers")
@pytest.mark.parametrize("middleware", [True, False])
def test_it_checks_only_public_base_url_in_production(client, settings, middleware):
    settings.PUBLIC_BASE_URL = "https://tips.example.org"
    if middleware:  # even where it was left in by mistake, DEBUG off keeps it inert
        settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    forwarded = {"HTTP_X_FORWARDED_HOST": "127.0.0.1:8001", "HTTP_X_FORWARDED_PROTO": "http"}
    assert _text(client, SERVED, **HOST).status_code == 403
    assert _text(client, SERVED, **HOST, **forwarded).status_code == 403
    assert _text(client, "https://tips.example.org", **HOST).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("development")
def test_it_links_the_emails_a_request_sends_to_the_served_address(client, personas):
    submit_tip(client, **HOST)
    (email,) = mail.outbox
    case = Tip.objects.get().case
    assert f"{SERVED}/staff/cases/{case.id}/" in email.body


@pytest.mark.django_db
def test_it_draws_the_poster_link_for_the_served_address_only_in_development(
    client_for, personas, settings
):
    client = client_for(personas.counselor_a)
    poster = client.get("/staff/schools/lincoln-high/poster/", **HOST).content.decode()
    assert f"{settings.PUBLIC_BASE_URL}/s/lincoln-high/" in poster and SERVED not in poster
    settings.DEBUG = True
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    client.handler.load_middleware()
    poster = client.get("/staff/schools/lincoln-high/poster/", **HOST).content.decode()
    assert f"{SERVED}/s/lincoln-high/" in poster


def _settings_of(module: str, **env) -> list[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PUBLIC_BASE_URL", "DEV_SERVER_ADDRESS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE=module)
    script = (
        "from django.conf import settings as s; "
        f"print(s.PUBLIC_BASE_URL); print({MIDDLEWARE!r} in s.MIDDLEWARE)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-2:]


def test_it_follows_the_served_address_in_development_settings_only():
    from tests.accounts.test_settings import PRODUCTION_ENV

    assert _settings_of("config.settings.dev", DEV_SERVER_ADDRESS="127.0.0.1:8001") == [
        SERVED,
        "True",
    ]
    assert _settings_of("config.settings.production", **PRODUCTION_ENV) == [
        "https://tips.example.org",
        "False",
    ]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_it_serves_make_run_on_the_port_it_is_given():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8001"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    command = result.stdout.replace("\\\n", " ")
    assert "DEV_SERVER_ADDRESS=127.0.0.1:8001" in command
    assert "honcho start -f Procfile.dev -e /dev/null -p 8001" in command
    procfile = (REPO_ROOT / "Procfile.dev").read_text()
    assert "web: python manage.py runserver 127.0.0.1:$PORT" in procfile
