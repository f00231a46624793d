"""Settings: production refuses to start without what it needs; check --deploy is clean."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from tests.conftest import REPO_ROOT

PRODUCTION_ENV = {
    "SECRET_KEY": "x7" * 20 + "production-secret-key-0123456789",
    "ALLOWED_HOSTS": "tips.example.org",
    "DATABASE_URL": "postgres://tipline@127.0.0.1:5432/tipline",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "PRIVACY_HMAC_KEY": "a-long-random-privacy-key-for-tests",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    # SMS through Twilio (issue 4): production's default SMS backend needs these.
    "PUBLIC_BASE_URL": "https://tips.example.org",
    "TWILIO_ACCOUNT_SID": "AC" + "5" * 32,
    "TWILIO_AUTH_TOKEN": "a-twilio-auth-token-for-tests",
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "5" * 32,
    # Password-reset links go by email: production needs a real backend (issue 12).
    "EMAIL_URL": "smtp://localhost:25",
}


def _manage(*args, env_overrides: dict[str, str], drop: tuple[str, ...] = ()):
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Set by the browser fixtures for Playwright; a real deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(env_overrides)
    for name in drop:
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_it_refuses_to_start_production_without_a_required_variable(missing):
    result = _manage("check", env_overrides=PRODUCTION_ENV, drop=(missing,))
    assert result.returncode != 0
    assert "Production settings need these environment variables" in result.stderr
    assert missing in result.stderr.split("need these environment variables:")[1]


def test_it_names_every_missing_variable_at_once():
    result = _manage("check", env_overrides={}, drop=tuple(PRODUCTION_ENV))
    message = result.stderr.split("need these environment variables:")[1].splitlines()[0]
    for name in PRODUCTION_ENV:
        assert name in message


def test_it_refuses_a_short_secret_key():
    result = _manage("check", env_overrides={**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50" in result.stderr


@pytest.mark.parametrize("url", ["consolemail://", "memorymail://", "dummymail://"])
def test_it_refuses_an_email_backend_that_sends_nothing(url):
    # Console mail would print every password-reset link into the web log.
    result = _manage("check", env_overrides={**PRODUCTION_ENV, "EMAIL_URL": url})
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr
    assert "real email backend" in result.stderr


def test_it_starts_production_with_an_smtp_backend():
    env = {**PRODUCTION_ENV, "EMAIL_URL": "smtp+tls://user:secret@smtp.example.org:587"}
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        env_overrides=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "django.core.mail.backends.smtp.EmailBackend"


def test_it_passes_check_deploy_without_warnings():
    # The reference nginx on the same host (accounts.W001 otherwise: test_trusted_proxies.py).
    deploy_env = {**PRODUCTION_ENV, "TRUSTED_PROXIES": "127.0.0.1"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=deploy_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_runs_tasks_eagerly_without_a_broker(settings):
    from config.celery import app

    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_it_starts_production_with_the_make_up_environment():
    from config.stack import up_environment

    lines = [line for line in up_environment().splitlines() if line and line[0] != "#"]
    env = dict(line.split("=", 1) for line in lines)
    result = _manage("check", env_overrides=env)
    assert result.returncode == 0, result.stderr
