"""Fault drills: tips under load while the worker dies and Redis restarts; then Redis down.

Runs the production settings on one machine against a throwaway PostgreSQL database:
gunicorn, a Celery worker and Celery beat (the database scheduler, sweeps every 5 s), and a
private Redis broker started with CI's own command line (only the port, directory and log file
are its own), so restarting it touches no other service. Staff email goes to files.

Drill 1 (load + faults): N tips (default 5,000) at concurrency C (default 20), every fifth a
life-safety tip; during it the worker is SIGKILLed and restarted twice and Redis is restarted
once (all queued tasks lost: it keeps nothing on disk, as in CI). Then:
  - every tip is stored exactly once (each carries a unique marker, checked by decrypting);
  - every life-safety case notified its first on-call contact at least once and never twice
    for the same step (Notice rows and the emails actually written);
  - every tip's counselor email went out exactly once (outbox rows, emails written).
Drill 2 (broker down): Redis stopped the whole time; M tips (default 300) all succeed and are
stored; no email goes out; Redis returns; the sweeps send every notice, once.

Prints tips/s with p50/p95 latency for each drill. Exits non-zero on any failed check.

    .venv/bin/python bench/drill_faults.py [--tips 5000] [--concurrency 20] [--down-tips 300]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# A name of your own (DRILL_DB_NAME) when several people drill on one PostgreSQL server.
DB_NAME = os.environ.get("DRILL_DB_NAME", "drill_faults")
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
MARKER = re.compile(r"drill-marker-(\d+)-([a-z]+)")
CASE_LINK = re.compile(r"/staff/cases/(\d+)/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """The processes of the drill, each in its own process group so it can be killed whole."""

    def __init__(self, workdir: Path, redis_port: int):
        self.workdir = workdir
        self.redis_port = redis_port
        self.web_port = free_port()
        self.mail_dir = workdir / "mail"
        self.mail_dir.mkdir()
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.web_port}",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/10",
            # The outbox and call-down sweeps every 5 s (CELERY_BEAT_SCHEDULE).
            "BEAT_SWEEP_SECONDS": "5",
            # Throttle counters in each process: the drill is about the broker, not the cache.
            "CACHE_URL": "locmemcache://drill",
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PRIVACY_HMAC_KEY": secrets.token_urlsafe(32),
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "STAFF_OTP_REQUIRED": "false",
            "SMS_BACKEND": "tipline.sms.backends.ConsoleBackend",
            "EMAIL_URL": f"filemail:///{self.mail_dir}",
            "MEDIA_ROOT": str(workdir / "media"),
            "TIPLINE_TIPS_PER_CLIENT": "1000000000",
            "TIPLINE_GLOBAL_TIPS_PER_MINUTE": "1000000000",
            "OUTBOX_OVERDUE_SECONDS": "10",
            # Every case must email its counselors whatever the hour the drill runs at; the
            # after-hours hold (routine tips wait for the morning digest) is tested apart.
            "TIPLINE_HOLD_ROUTINE_NOTICES_AFTER_HOURS": "false",
            "NOTICE_CLAIM_LEASE_SECONDS": "15",
            "LOG_LEVEL": "ERROR",
        }

    # Redis: CI's command line, with this drill's port, directory and log file.
    def redis_start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "-::1",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--logfile",
                str(self.workdir / "redis.log"),
                "--pidfile",
                str(self.workdir / "redis.pid"),
            ],
            check=True,
        )
        for _ in range(100):
            if self._redis_ping():
                return
            time.sleep(0.05)
        raise SystemExit("the drill's Redis did not start")

    def redis_stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )
        for _ in range(100):
            if not self._redis_ping():
                return
            time.sleep(0.05)

    def _redis_ping(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True, check=False
        )
        return result.stdout.strip() == b"PONG"

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True)

    def start(self, name: str) -> None:
        commands = {
            "web": [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "-c",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                os.environ.get("DRILL_WEB_WORKERS", "8"),
                "--access-logfile",
                "/dev/null",
            ],
            "worker": [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--concurrency",
                "4",
                "--loglevel",
                "ERROR",
            ],
            "beat": [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "ERROR",
                "--schedule",
                str(self.workdir / "beat"),
            ],
        }
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - lives with the process
        self.procs[name] = subprocess.Popen(
            commands[name],
            cwd=ROOT,
            env={**self.env, "PATH": f"{BIN}:{os.environ['PATH']}"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)
        self.redis_stop()


def school_number_add(stack: Stack, number: str) -> None:
    """Give the drill school an SMS number, so signed texts to it are routed there."""
    stack.manage(
        "shell",
        "-c",
        "from accounts.models import PhoneNumber, School\n"
        "s = School.objects.get(slug='drill-high')\n"
        f"PhoneNumber.objects.create(number='{number}', district=s.district, school=s)\n",
    )


def teardown(stack: Stack, *, databases: tuple[str, ...], workdir: Path, keep: bool) -> None:
    """Stop every process, drop the drill's databases, and remove its folder unless kept."""
    stack.stop_all()
    from django.conf import settings
    from django.db import connections

    if settings.configured:  # a drill that read rows through the ORM: let the drop through
        connections.close_all()
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        for name in databases:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)


def seed(stack: Stack) -> None:
    """One school, one counselor, one on-call contact; call-down steps an hour apart (so only
    the first step is due during the drill); beat sweeps every 5 s."""
    stack.manage("migrate", "-v0")
    stack.manage("collectstatic", "--noinput", "-v0")
    script = (
        "from accounts.models import District, School, Membership, OnCallContact, User\n"
        "from accounts.models import DistrictPolicy\n"
        "from config.celery import app\n"
        "from django_celery_beat.models import PeriodicTask\n"
        "from django_celery_beat.schedulers import DatabaseScheduler\n"
        "d = District.objects.create(name='Drill', slug='drill')\n"
        "DistrictPolicy.objects.create(district=d, calldown_step_seconds=3600)\n"
        "s = School.objects.create(district=d, name='Drill High', slug='drill-high')\n"
        "c = User.objects.create_user('counselor@drill.example', 'x', full_name='C')\n"
        "Membership.objects.create(user=c, school=s, role='counselor')\n"
        "o = User.objects.create_user('oncall@drill.example', 'x', full_name='O')\n"
        "Membership.objects.create(user=o, school=s, role='principal')\n"
        "OnCallContact.objects.create(school=s, user=o, position=0)\n"
        # The settings' schedule as beat will sync it (BEAT_SWEEP_SECONDS=5 in the stack's
        # environment), then everything but the two sweeps under test switched off: beat's
        # sync on start leaves `enabled` as it finds it.
        "DatabaseScheduler(app=app, lazy=True).setup_schedule()\n"
        "PeriodicTask.objects.exclude(task__in=['cases.outbox_sweep',"
        " 'cases.calldown_sweep']).update(enabled=False)\n"
    )
    stack.manage("shell", "-c", script)


def submit(base: str, numbers: list[int], concurrency: int, tag: str):
    """POST one tip per number over `concurrency` client threads; returns latencies, failures."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    chunks = [numbers[index::concurrency] for index in range(concurrency)]

    def client(chunk):
        mine, bad = [], []
        with httpx.Client(base_url=base, timeout=60) as http:
            page = http.get("/s/drill-high/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
            for number in chunk:
                urgent = number % 5 == 0
                data = {
                    "csrfmiddlewaretoken": token,
                    "body": f"Drill tip drill-marker-{number}-{tag} about the east stairwell.",
                    "category": "other",
                    "danger_now": "yes" if urgent else "no",
                }
                started = time.perf_counter()
                try:
                    response = http.post("/s/drill-high/", data=data, follow_redirects=True)
                    ok = response.status_code == 200 and "receipt-code" in response.text
                    detail = str(response.status_code)
                except httpx.HTTPError as error:
                    ok, detail = False, type(error).__name__
                if ok:
                    mine.append(time.perf_counter() - started)
                else:
                    bad.append(f"{number}: {detail}")
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    return threads, started, latencies, failures


def figures(label: str, count: int, elapsed: float, latencies: list[float]) -> str:
    latencies = sorted(latencies) or [0.0]
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    return (
        f"{label}: {count} tips in {elapsed:.1f} s = {count / elapsed:.1f} tips/s, "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )


def emails(mail_dir: Path) -> Counter:
    """(subject kind, case id) -> emails written, from the file backend's output."""
    counts: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        for message in path.read_text(errors="replace").split("-" * 79):
            subject = re.search(r"^Subject: (.*)$", message, re.MULTILINE)
            link = CASE_LINK.search(message)
            if subject and link:
                kind = "calldown" if subject[1].startswith("LIFE SAFETY") else "counselor"
                counts[(kind, int(link[1]))] += 1
    return counts


def django_ready(stack: Stack):
    os.environ.update(stack.env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def wait_until_sent(deadline_seconds: float) -> bool:
    from django.db import close_old_connections

    from cases.models import Case, Notice, Priority

    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        close_old_connections()
        news = Notice.objects.filter(reason=Notice.Reason.NEW_TIP)
        pending = news.exclude(status=Notice.Status.SENT).count()
        life_safety = Case.objects.filter(priority=Priority.LIFE_SAFETY).count()
        notified = (
            Notice.objects.filter(reason=Notice.Reason.CALLDOWN, ref=0, status=Notice.Status.SENT)
            .values("case")
            .distinct()
            .count()
        )
        if not pending and notified == life_safety:
            return True
        time.sleep(1)
    return False


def check(stack: Stack, expected: dict[int, str], tag: str, problems: list[str]) -> None:
    """Every tip once; every notice once; every life-safety case's first step once."""
    from django.db import close_old_connections

    from cases.models import Notice, Priority
    from tipline.models import Tip

    close_old_connections()
    seen: Counter = Counter()
    urgent_cases, tip_cases = set(), Counter()
    for tip in Tip.objects.select_related("case"):
        match = MARKER.search(tip.body)
        if match and match[2] == tag:
            seen[int(match[1])] += 1
            tip_cases[tip.case_id] += 1
            if tip.case.priority == Priority.LIFE_SAFETY:
                urgent_cases.add(tip.case_id)
    missing = set(expected) - set(seen)
    doubled = [number for number, times in seen.items() if times > 1]
    if missing:
        problems.append(f"[{tag}] {len(missing)} tips lost, e.g. {sorted(missing)[:5]}")
    if doubled:
        problems.append(f"[{tag}] {len(doubled)} tips stored twice, e.g. {doubled[:5]}")
    want_urgent = sum(1 for number in expected if number % 5 == 0)
    if len(urgent_cases) != want_urgent:
        problems.append(f"[{tag}] {len(urgent_cases)} life-safety cases, expected {want_urgent}")
    written = emails(stack.mail_dir)
    for case_id in urgent_cases:
        rows = Notice.objects.filter(case_id=case_id, reason=Notice.Reason.CALLDOWN)
        sent_step0 = rows.filter(ref=0, status=Notice.Status.SENT).count()
        if sent_step0 != 1 or rows.filter(ref__gt=0).exists():
            problems.append(f"[{tag}] case {case_id}: call-down rows {list(rows.values())}")
        if written[("calldown", case_id)] != 1:
            problems.append(
                f"[{tag}] case {case_id}: {written[('calldown', case_id)]} call-down emails"
            )
    # Counselor emails: at least once per tip (one counselor). A second copy is possible only
    # when a worker is SIGKILLed between the SMTP hand-off and its commit: counted, not failed.
    unnotified = [case for case, tips in tip_cases.items() if written[("counselor", case)] < tips]
    if unnotified:
        problems.append(f"[{tag}] {len(unnotified)} cases missing counselor emails")
    doubled_mail = sum(
        max(0, written[("counselor", case)] - tips) for case, tips in tip_cases.items()
    )
    print(f"  [{tag}] counselor emails sent twice (worker killed mid-send): {doubled_mail}")
    news = Notice.objects.filter(reason=Notice.Reason.NEW_TIP)
    unsent = news.exclude(status=Notice.Status.SENT).count()
    if unsent:
        problems.append(f"[{tag}] {unsent} counselor notices never sent")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tips", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--down-tips", type=int, default=300)
    parser.add_argument("--settle-seconds", type=float, default=180)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="drill_faults_"))
    stack = Stack(workdir, free_port())
    problems: list[str] = []
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    try:
        stack.redis_start()
        seed(stack)
        for name in ("web", "worker", "beat"):
            stack.start(name)
        base = f"http://127.0.0.1:{stack.web_port}"
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        django_ready(stack)
        from tipline.models import Tip

        # Drill 1: load while the worker dies twice and Redis restarts once.
        numbers = list(range(args.tips))
        threads, started, latencies, failures = submit(base, numbers, args.concurrency, "load")
        faults = [
            (0.15, "kill the worker (SIGKILL)", lambda: stack.kill("worker")),
            (0.25, "restart the worker", lambda: stack.start("worker")),
            (0.45, "stop Redis", stack.redis_stop),
            (0.50, "start Redis (same command)", stack.redis_start),
            (0.70, "kill the worker (SIGKILL)", lambda: stack.kill("worker")),
            (0.75, "restart the worker", lambda: stack.start("worker")),
        ]
        for fraction, label, action in faults:
            while Tip.objects.count() < fraction * args.tips and any(
                thread.is_alive() for thread in threads
            ):
                time.sleep(0.2)
            print(f"  at {Tip.objects.count()} tips: {label}", flush=True)
            action()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        load_line = figures("drill 1 (faults)", args.tips, elapsed, latencies)
        print(load_line, flush=True)
        if failures:
            problems.append(f"[load] {len(failures)} submissions failed: {failures[:5]}")
        if not wait_until_sent(args.settle_seconds):
            problems.append("[load] notices still unsent after the settle time")
        check(stack, dict.fromkeys(numbers, "load"), "load", problems)

        # Drill 2: the broker is down the whole time.
        stack.redis_stop()
        before = emails(stack.mail_dir)
        down = list(range(args.tips, args.tips + args.down_tips))
        threads, started, latencies, failures = submit(base, down, args.concurrency, "down")
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        down_line = figures("drill 2 (broker down)", args.down_tips, elapsed, latencies)
        print(down_line, flush=True)
        if failures:
            problems.append(f"[down] {len(failures)} submissions failed: {failures[:5]}")
        stored = Tip.objects.filter(body__isnull=False).count()
        if stored != args.tips + args.down_tips:
            problems.append(f"[down] {stored} tips stored in all, expected more")
        if emails(stack.mail_dir) != before:
            problems.append("[down] emails went out with no broker (impossible: check the drill)")
        print("  Redis back", flush=True)
        stack.redis_start()
        if not wait_until_sent(args.settle_seconds):
            problems.append("[down] notices still unsent after Redis returned")
        check(stack, dict.fromkeys(down, "down"), "down", problems)
    finally:
        teardown(stack, databases=(DB_NAME,), workdir=workdir, keep=args.keep)
    for problem in problems[:40]:
        print("FAIL", problem)
    print("drill: " + ("FAILED" if problems else "passed: nothing lost, nothing doubled"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
