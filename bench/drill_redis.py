"""Redis-outage drill: with Redis killed, students and staff keep getting through.

The production settings on one machine, as bench/drill_faults.py runs them (its Stack and seed:
a throwaway PostgreSQL database, gunicorn, a Celery worker and beat, a private Redis started
with CI's own command line on a port of its own), except that Redis is also the cache here,
as in production: throttle counters, the SMS replay claim, sign-in lockout counters.

1. Redis up: a web tip (its receipt code kept) and a counselor's question on its case.
2. Redis SIGKILLed. Then, each timed:
   - a web tip is stored and answered with a receipt code (marked for review);
   - a text signed with Twilio's RequestValidator is stored and answered with its case
     reference; the same text replayed is answered with nothing and stored once;
   - a staff member signs in and opens the case list. [NEEDS the sign-in lockout fallback of
     the accounts work (issue 12, finding 4): until it is merged this step fails, on purpose];
   - /followup/ with the first receipt code opens the thread, shows the counselor's question
     and takes an answer; the outage tip's code opens its thread too;
   - the web log says the throttles counted in the process (the fallback really ran).
3. Redis started again (same command): every staff notice held in the outbox goes out.

Prints the latency of each step and the notice drain time. Exits non-zero on any failure.

    .venv/bin/python bench/drill_redis.py [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drill_faults import (
    ADMIN_DSN,
    Stack,
    django_ready,
    free_port,
    school_number_add,
    seed,
    teardown,
)

DB_NAME = "drill_redis"
SCHOOL_NUMBER = "+13035550199"
TIPSTER_NUMBER = "+15555550142"
COUNSELOR = ("counselor@drill.example", "x")  # seeded by drill_faults.seed
QUESTION = "Drill question: which stairwell exactly?"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(r'id="receipt-code">([^<]+)<')
SIGN_IN_STEP = "staff sign-in"


class Drill:
    def __init__(self, stack: Stack, base: str):
        self.stack, self.base = stack, base
        self.problems: list[str] = []
        self.timings: list[tuple[str, float]] = []

    def step(self, name: str, action) -> None:
        started = time.perf_counter()
        try:
            failure = action()
        except Exception as error:  # a drill reports every failure and goes on
            failure = f"{type(error).__name__}: {error}"
        self.timings.append((name, time.perf_counter() - started))
        print(f"  {'FAIL' if failure else 'ok  '} {name}" + (f": {failure}" if failure else ""))
        if failure:
            self.problems.append(f"{name}: {failure}")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30)

    def web_tip(self, marker: str) -> tuple[str | None, str | None]:
        """(receipt code, failure)."""
        with self.client() as http:
            token = CSRF.search(http.get("/s/drill-high/").text)[1]
            data = {
                "csrfmiddlewaretoken": token,
                "body": f"Drill tip {marker} about the east stairwell.",
                "category": "other",
                "danger_now": "no",
            }
            response = http.post("/s/drill-high/", data=data, follow_redirects=True)
        found = RECEIPT.search(response.text)
        if response.status_code != 200 or not found:
            return None, f"answered {response.status_code} without a receipt code"
        return found[1].strip(), None

    def sms(self, params: dict) -> httpx.Response:
        path = "/sms/twilio/inbound/"
        token = self.stack.env["TWILIO_AUTH_TOKEN"]
        signature = RequestValidator(token).compute_signature(self.base + path, params)
        with self.client() as http:
            return http.post(path, data=params, headers={"X-Twilio-Signature": signature})

    def sign_in(self) -> str | None:
        with self.client() as http:
            token = CSRF.search(http.get("/accounts/login/").text)[1]
            email, password = COUNSELOR
            data = {"csrfmiddlewaretoken": token, "username": email, "password": password}
            response = http.post("/accounts/login/", data=data)
            if response.status_code != 302:
                return f"the sign-in form answered {response.status_code}"
            cases = http.get("/staff/cases/")  # a redirect here would mean "sign in first"
            if cases.status_code != 200:
                return f"the case list answered {cases.status_code}"
        return None

    def followup(self, code: str, *, expect: str, answer: str | None = None) -> str | None:
        with self.client() as http:
            token = CSRF.search(http.get("/followup/").text)[1]
            opened = http.post("/followup/", data={"csrfmiddlewaretoken": token, "code": code})
            if opened.status_code != 302:
                return f"the code was answered {opened.status_code}"
            thread = http.get("/followup/thread/")
            if thread.status_code != 200 or expect not in thread.text:
                return f"the thread answered {thread.status_code} without {expect!r}"
            if answer:
                token = CSRF.search(thread.text)[1]
                sent = http.post(
                    "/followup/thread/", data={"csrfmiddlewaretoken": token, "body": answer}
                )
                if sent.status_code != 302:
                    return f"the answer was refused with {sent.status_code}"
        return None


def kill_redis(stack: Stack) -> None:
    pid = int((stack.workdir / "redis.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while stack._redis_ping() and time.monotonic() < deadline:
        time.sleep(0.05)


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle-seconds", type=float, default=90)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="drill_redis_"))
    stack = Stack(workdir, free_port())
    for name in ("TIPLINE_TIPS_PER_CLIENT", "TIPLINE_GLOBAL_TIPS_PER_MINUTE"):
        stack.env.pop(name)  # the real limits: the throttles are part of the drill
    stack.env.update(
        {
            # Redis is the cache too, as production derives it from the broker.
            "CACHE_URL": f"rediscache://127.0.0.1:{stack.redis_port}/11",
            "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
            "TRUSTED_PROXY_COUNT": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ["DRILL_WEB_WORKERS"] = "2"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    stack.env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    problems: list[str] = []
    try:
        stack.redis_start()
        seed(stack)
        school_number_add(stack, SCHOOL_NUMBER)
        for name in ("web", "worker", "beat"):
            stack.start(name)
        base = f"http://127.0.0.1:{stack.web_port}"

        def healthy() -> bool:
            try:
                return httpx.get(base + "/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        if not wait_for(healthy, 60):
            raise SystemExit("the drill's gunicorn did not come up")
        django_ready(stack)
        from django.db import close_old_connections

        from accounts.models import User
        from cases.models import Case, Notice
        from tipline.models import Message, Tip
        from tipline.services.tips import message_to_reporter
        from tipline.services.web import reporter_for_receipt_code

        drill = Drill(stack, base)
        print("Redis up:")
        first_code = None

        def before() -> str | None:
            nonlocal first_code
            first_code, failure = drill.web_tip("before-outage")
            if failure:
                return failure
            reporter = reporter_for_receipt_code(first_code)
            case = Case.objects.get(tips__reporter=reporter)
            counselor = User.objects.get(email=COUNSELOR[0])
            message_to_reporter(case=case, reporter=reporter, body=QUESTION, author=counselor)
            return None

        drill.step("web tip and a counselor's question", before)
        if drill.problems:
            raise SystemExit("the stack does not work even with Redis up: " + drill.problems[0])

        kill_redis(stack)
        print("Redis killed (SIGKILL):")
        outage_code = None

        def web_tip() -> str | None:
            nonlocal outage_code
            outage_code, failure = drill.web_tip("during-outage")
            if failure:
                return failure
            close_old_connections()
            tip = Tip.objects.filter(channel="web").order_by("-id").first()
            if "during-outage" not in tip.body or not tip.needs_review:
                return "the tip stored is not the outage tip, or is not marked for review"
            return None

        sid = "SM" + secrets.token_hex(16)
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": TIPSTER_NUMBER,
            "To": SCHOOL_NUMBER,
            "Body": "Drill text: someone has a knife in the gym",
            "NumMedia": "0",
        }

        def sms() -> str | None:
            response = drill.sms(params)
            close_old_connections()
            tip = Tip.objects.filter(provider_sid=sid).select_related("case").first()
            if response.status_code != 200 or tip is None:
                return f"answered {response.status_code}, stored {tip is not None}"
            if tip.case.reference not in response.text:
                return "the reply does not give the case reference"
            return None

        def sms_replay() -> str | None:
            response = drill.sms(params)
            close_old_connections()
            stored = Tip.objects.filter(provider_sid=sid).count()
            stored += Message.objects.filter(provider_sid=sid).count()
            if response.status_code != 200 or "<Message>" in response.text or stored != 1:
                return f"answered {response.status_code}, stored {stored} times"
            return None

        drill.step("web tip", web_tip)
        drill.step("signed SMS", sms)
        drill.step("the same SMS replayed", sms_replay)
        drill.step(SIGN_IN_STEP, drill.sign_in)
        drill.step(
            "follow-up with a good code",
            lambda: drill.followup(first_code, expect=QUESTION, answer="The north one."),
        )
        drill.step(
            "follow-up with the outage tip's code",
            lambda: drill.followup(outage_code or "", expect="Received"),
        )
        log = (workdir / "web.log").read_text(errors="replace")
        fallbacks = log.count("throttle cache unavailable: counting in this process")
        replay_fallbacks = log.count("sms replay cache unavailable")
        if not fallbacks or not replay_fallbacks:
            drill.problems.append("the web log shows no cache fallback: was Redis really down?")

        print("Redis started again:")
        stack.redis_start()
        drain_started = time.perf_counter()

        def all_sent() -> bool:
            close_old_connections()
            unsent = Notice.objects.exclude(status__in=[Notice.Status.SENT, Notice.Status.HELD])
            return not unsent.exists()

        drained = wait_for(all_sent, args.settle_seconds)
        drain_seconds = time.perf_counter() - drain_started
        close_old_connections()
        notices = Notice.objects.count()
        if not drained:
            drill.problems.append(f"staff notices still unsent {args.settle_seconds:.0f} s later")
        # Bodies are encrypted at rest: compare after decryption.
        reply = sum(message.body == "The north one." for message in Message.objects.all())
        if reply != 1:
            drill.problems.append(f"the tipster's answer was stored {reply} times")
        problems = drill.problems
        print("figures:")
        for name, seconds in drill.timings:
            print(f"  {name}: {seconds * 1000:.0f} ms")
        print(f"  fallback log lines: {fallbacks} throttle, {replay_fallbacks} SMS replay claim")
        print(f"  {notices} staff notices, all sent {drain_seconds:.1f} s after Redis returned")
    finally:
        teardown(stack, databases=(DB_NAME,), workdir=workdir, keep=args.keep)
    for problem in problems:
        print("FAIL", problem)
    elapsed = time.perf_counter() - started
    verdict = "FAILED" if problems else "passed: everyone got through with Redis killed"
    print(f"drill: {verdict} ({elapsed:.0f} s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
