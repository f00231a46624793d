"""The `.env` file: `.env.example`, copied with its secrets filled, passes check --deploy;
inline comments are comments, and values that would be misread are refused."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from config.envfile import env_file_read, env_file_values
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / ".env.example"
SECRETS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(60),
    "FIELD_ENCRYPTION_KEYS": lambda: Fernet.generate_key().decode(),
    "PRIVACY_HMAC_KEY": lambda: secrets.token_urlsafe(32),
    "TWILIO_AUTH_TOKEN": lambda: secrets.token_hex(16),
}


def _filled_example(tmp_path):
    """What an operator does: copy the example and fill in its four secrets."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for name, make in SECRETS.items():
        text, count = re.subn(rf"^{name}=.*$", f"{name}={make()}", text, flags=re.MULTILINE)
        assert count == 1, name
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


def _manage_with_only(env_file, *args):
    """manage.py under production settings with nothing but the file to go on."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "ENV_FILE": str(env_file),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_check_deploy_with_the_example_file_and_its_secrets_filled(tmp_path):
    result = _manage_with_only(
        _filled_example(tmp_path), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_reads_the_example_values_without_their_comments(tmp_path):
    values = env_file_values(_filled_example(tmp_path))
    assert values["AXES_FAILURE_LIMIT"] == "5"
    assert values["ALLOWED_HOSTS"] == "tips.example.org"
    assert values["PUBLIC_BASE_URL"] == "https://tips.example.org"
    assert values["STAFF_OTP_REQUIRED"] == "true"
    assert values["TRUSTED_PROXY_COUNT"] == ""
    assert values["OTP_TOTP_ISSUER"] == "School Tip Line"
    assert "DJANGO_SETTINGS_MODULE" not in values


def test_it_lists_every_variable_the_settings_read():
    listed = set(re.findall(r"^([A-Z_0-9]+)=", EXAMPLE.read_text(), flags=re.MULTILINE))
    read = set()
    for name in ("base.py", "dev.py", "production.py"):
        source = (REPO_ROOT / "config" / "settings" / name).read_text()
        read |= set(re.findall(r'(?:env(?:\.\w+)?|environ\.get)\(\s*"([A-Z_0-9]+)"', source))
    assert read - listed == set()


def test_it_takes_comments_and_single_quotes_as_documented(tmp_path):
    path = tmp_path / ".env"
    path.write_text(
        "# a comment line\n"
        "LIMIT=5   # a number\n"
        "HOSTS=a.example.org,b.example.org    # two hosts\n"
        "URL='smtp+tls://user:pa#ss@smtp.example.org:587'   # quoted: the # is kept\n"
        "EMPTY=          # nothing\n"
        "export FLAG=true\n",
        encoding="utf-8",
    )
    assert env_file_values(path) == {
        "LIMIT": "5",
        "HOSTS": "a.example.org,b.example.org",
        "URL": "smtp+tls://user:pa#ss@smtp.example.org:587",
        "EMPTY": "",
        "FLAG": "true",
    }


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("PASSWORD=abc#def", "single quotes"),
        ('EMAIL_URL="smtp://u:p@h:25"   # note', "quoted"),
        ("TOKEN='unterminated", "quoted"),
    ],
)
def test_it_refuses_a_value_it_would_misread(tmp_path, line, says):
    path = tmp_path / ".env"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=says):
        env_file_values(path)


def test_it_lets_the_environment_win_and_fails_on_a_missing_named_file(tmp_path, monkeypatch):
    path = tmp_path / "tipline.env"
    path.write_text("U16_FROM_FILE=file   # c\nU16_BOTH=file\n", encoding="utf-8")
    monkeypatch.setenv("ENV_FILE", str(path))
    monkeypatch.setenv("U16_BOTH", "environment")
    monkeypatch.delenv("U16_FROM_FILE", raising=False)
    env_file_read(tmp_path / "unused")
    assert os.environ.pop("U16_FROM_FILE") == "file"
    assert os.environ["U16_BOTH"] == "environment"
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "missing.env"))
    with pytest.raises(ImproperlyConfigured, match="not a file"):
        env_file_read(tmp_path / "unused")
