"""`make run`'s processes for real: honcho starts Procfile.dev (runserver, and a Celery worker
with beat on kombu's filesystem broker) on a SQLite database and a broker folder of their own,
in a temporary directory. No service is needed, so this runs in `make test`.

It proves the demo's background work runs outside the web process: a life-safety web tip's
call-down runs in the worker and pages the next contact after the district's step wait, a
beat-scheduled sweep escalates a missed deadline, an MMS picture is fetched by the worker
after the webhook has answered, and Ctrl-C (SIGINT to honcho) stops every process.
"""

import io
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import School
from cases.models import Notice
from tipline.models import Attachment

from ..conftest import REPO_ROOT

pytestmark = pytest.mark.devstack

STEP_SECONDS = 1
PHOTO = REPO_ROOT / "tests" / "tipline" / "fixtures" / "twilio_media_ME0f3c.jpg"
# Run once under the demo's settings, before the stack starts.
SETUP = f"""
from datetime import timedelta
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from accounts.models import DistrictPolicy, School
from cases.models import Case, Category, Channel
from tipline.services.tips import tip_create

call_command("migrate", verbosity=0)
call_command("seed_demo")
call_command("seed_demo_policy")
DistrictPolicy.objects.update(calldown_step_seconds={STEP_SECONDS})
# The sweeps come every minute; one more every second lets the test see beat at work.
every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
PeriodicTask.objects.create(
    name="test: SLA sweep every second", task="cases.sla_sweep", interval=every_second
)
# A life-safety case at Roosevelt whose acknowledgement deadline has passed.
tip = tip_create(
    school=School.objects.get(slug="roosevelt-middle"),
    channel=Channel.WEB,
    category=Category.WEAPON,
    body="a gun in a locker",
)
Case.objects.filter(id=tip.case_id).update(
    acknowledge_due_at=timezone.now() - timedelta(minutes=1)
)
"""


def _until(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class Stack:
    """The honcho process and every line it printed."""

    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port
        self.url = f"http://127.0.0.1:{port}"
        self.database = directory / "db.sqlite3"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "CELERY_BROKER_URL": "filesystem://localhost/",
            "DEV_BROKER_DIR": str(directory / "broker"),
            "MEDIA_ROOT": str(directory / "media"),
            "PUBLIC_BASE_URL": self.url,
            # sms_simulate signs in this process, with the test settings' Twilio token.
            "TWILIO_AUTH_TOKEN": settings.TWILIO_AUTH_TOKEN,
            "TWILIO_ACCOUNT_SID": settings.TWILIO_ACCOUNT_SID,
            "PYTHONUNBUFFERED": "1",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        self.lines: list[str] = []
        self.process: subprocess.Popen | None = None

    def prepare(self) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETUP],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-4000:]

    def start(self) -> None:
        # As `make run` starts it (Makefile), with the app, not honcho, reading any .env file.
        command = [sys.executable, "-m", "honcho", "start", "-f", "Procfile.dev", "-e", "/dev/null"]
        self.process = subprocess.Popen(
            [*command, "-p", str(self.port), "--no-colour"],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def pids(self) -> dict[str, int]:
        """Each process's pid, which honcho made the leader of its own process group."""
        started = re.findall(r"(\w+)\.1 started \(pid=(\d+)\)", self.output())
        return {name: int(pid) for name, pid in started}

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.database, timeout=10) as connection:
            return connection.execute(sql, params).fetchall()

    def notices(self, *, reason: str, school: str) -> list[tuple]:
        """(ref, created_at) of the sent notices of one reason at a school (ref: the step)."""
        # Table names from the models' own metadata; the values are bound parameters.
        notices, schools = Notice._meta.db_table, School._meta.db_table
        sql = (
            f"SELECT n.ref, n.created_at FROM {notices} n JOIN {schools} s "  # noqa: S608
            "ON s.id = n.school_id WHERE n.reason = ? AND s.slug = ? AND n.status = ? "
            "ORDER BY n.created_at"
        )
        return self.query(sql, str(reason), school, str(Notice.Status.SENT))

    def stop(self) -> None:
        """Ctrl-C, as in the terminal; whatever is left after that is killed."""
        if self.process is None:
            return
        groups = self.pids().values()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pgid in groups:
            if _group_alive(pgid):
                os.killpg(pgid, signal.SIGKILL)


def _hidden_inputs(html: str) -> dict[str, str]:
    form = html[html.index("<form") :]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def _send_web_tip(base_url: str) -> None:
    with httpx.Client(base_url=base_url, follow_redirects=True, timeout=30) as client:
        assert _until(lambda: _page_answers(client, "/s/lincoln-high/"))
        page = client.get("/s/lincoln-high/")
        fields = _hidden_inputs(page.text)
        fields.update(body="He said he will bring a gun to lunch", category="weapon")
        fields["danger_now"] = "yes"
        answer = client.post("/s/lincoln-high/", data=fields)
    assert answer.status_code == 200, answer.text[:500]


def _page_answers(client: httpx.Client, path: str) -> bool:
    try:
        return client.get(path).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, _free_port())
    stack.prepare()
    stack.start()
    yield stack
    stack.stop()


def test_it_runs_the_demos_background_work_in_a_worker_with_beat(stack):
    _send_web_tip(stack.url)

    # The web request queued the call-down; the worker pages the on-call list one by one
    # (counselor, principal), then the district admins, each a step wait after the last.
    def lincoln_steps():
        return stack.notices(reason=Notice.Reason.CALLDOWN, school="lincoln-high")

    reached = _until(lambda: {step for step, _ in lincoln_steps()} >= {0, 1, 2})
    assert reached, stack.output()[-6000:]
    started: dict[int, datetime] = {}
    for step, created_at in lincoln_steps():
        started.setdefault(step, datetime.fromisoformat(created_at))
    wait = timedelta(seconds=STEP_SECONDS)
    assert started[0] + wait <= started[1] and started[1] + wait <= started[2]

    # Beat sends the SLA sweep, which escalates Roosevelt's missed deadline to its principal.
    escalated = _until(
        lambda: stack.notices(reason=Notice.Reason.ESCALATION, school="roosevelt-middle")
    )
    assert escalated, stack.output()[-6000:]
    assert "Sending due task test: SLA sweep every second" in stack.output()

    # An MMS: the worker fetches the picture after the webhook answered.
    out = io.StringIO()
    call_command(
        "sms_simulate",
        "--url",
        stack.url,
        "--from",
        "+15555550123",
        "--to",
        "+13035550101",
        "--media",
        str(PHOTO),
        "a photo of it",
        stdout=out,
    )
    assert "got your tip" in out.getvalue()
    attachments = f"SELECT COUNT(*) FROM {Attachment._meta.db_table}"  # noqa: S608
    assert _until(lambda: stack.query(attachments) == [(1,)]), stack.output()[-6000:]

    # One terminal: every line carries its process's name.
    assert any(line.split("|")[0].strip().endswith("web.1") for line in stack.lines)
    assert any(line.split("|")[0].strip().endswith("worker.1") for line in stack.lines)

    # Ctrl-C stops the web server, the worker and beat (the worker's child), and nothing waits
    # on a terminal that no longer exists.
    groups = stack.pids()
    assert set(groups) == {"web", "worker"}
    stack.stop()
    assert stack.process.returncode is not None
    assert _until(lambda: not any(_group_alive(pgid) for pgid in groups.values()), timeout=30)
    assert "Warm shutdown" in stack.output()
