"""`make run PORT=...` as a newcomer meets it: the Makefile's own runserver command on another
port, `sms_simulate --url <the webhook>` accepted, and the emails a request sends printed as
framed blocks, linking to the address the browser used, with no log line inside a block."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
# Variables of the test run that must not reach a development server.
NOT_PASSED = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PUBLIC_BASE_URL", "CELERY_BROKER_URL")
NOT_PASSED += ("DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_URL", "SMS_BACKEND", "DEV_SERVER_ADDRESS")
RULE = "+" + "=" * 77


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _runserver_command(port: int) -> str:
    """The web process `make run PORT=<port>` starts: the Makefile's environment for honcho,
    then Procfile.dev's web line with the port honcho gives it."""
    planned = subprocess.run(
        ["make", "-n", "run", f"PORT={port}", f"VENV={sys.prefix}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    (start,) = [line for line in planned.splitlines() if "honcho start" in line]
    environment = start.split(" PATH=")[0]
    procfile = (REPO_ROOT / "Procfile.dev").read_text()
    (web,) = [line for line in procfile.splitlines() if line.startswith("web:")]
    web = web.removeprefix("web:").strip().replace("$PORT", str(port))
    return f"{environment} {web.replace('python ', sys.executable + ' ', 1)}"


def _wait_until_serving(base: str, server: subprocess.Popen, deadline_seconds: float = 120):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the development server exited"
        try:
            httpx.get(base + "/privacy/", timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.2)  # poll again: the server is still starting
    raise AssertionError("the development server did not answer")


def _web_tip(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as browser:
        form = browser.get("/s/lincoln-high/").text
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        fields = {
            "body": "Someone is selling vapes in the east bathroom.",
            "category": "substances",
        }
        fields.update(danger_now="no", location="East bathroom")
        response = browser.post("/s/lincoln-high/", data={**hidden, **fields})
        assert response.status_code in (200, 303), response.text[:500]


def test_it_runs_on_another_port_and_takes_a_simulated_text_and_a_web_tip(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in NOT_PASSED}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
        TIPLINE_HOLD_ROUTINE_NOTICES_AFTER_HOURS="false",  # emails now, whatever the hour
        # Tasks in the web process: this test is about the address, not the worker beside it
        # (tests/config/test_devstack.py starts the worker too).
        CELERY_BROKER_URL="",
    )
    for args in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, check=True)
    terminal = Path(tmp_path / "terminal.txt")
    with terminal.open("w") as output:
        server = subprocess.Popen(
            ["bash", "-c", f"exec env {_runserver_command(port)} --noreload"],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}", server)
        webhook = f"http://127.0.0.1:{port}/sms/twilio/inbound/"
        sender, school_number = "+15555550100", "+13035550101"
        simulated = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "sms_simulate",
                "--url",
                webhook,
                "--from",
                sender,
                "--to",
                school_number,
                "someone is selling vapes behind the gym",
            ],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert simulated.returncode == 0, simulated.stderr
        assert "Lincoln High School" in simulated.stdout
        # The browser on "localhost": the email links there, not to PUBLIC_BASE_URL.
        _web_tip(f"http://localhost:{port}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    printed = terminal.read_text()
    blocks = re.findall(r"\n(\+=== EMAIL: [^\n]*\n(?:.*\n)*?)" + re.escape(RULE) + "\n", printed)
    assert blocks, printed[-3000:]
    assert any(f"http://localhost:{port}/staff/cases/" in block for block in blocks)
    for block in blocks:
        assert all(line.startswith("|") for line in block.splitlines()[1:]), block
    assert '"logger": "django.server"' in printed  # log lines were printed too, outside
