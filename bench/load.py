"""Tips/s, signed SMS webhooks/s and counselor case-queue pages/s under concurrent load, each
beside a trivial page measured in the same run.

Runs the production settings (config.settings.production, config/gunicorn.py) on one machine
through bench/drill_faults.py's Stack: a throwaway PostgreSQL database, a private Redis on its
own port (the broker, and here also the cache, as in production), gunicorn with --workers
sync workers. No Celery worker runs: tasks are published to the broker and wait there, so the
figures are the web tier's own. Staff two-factor is on (production's default): the counselor
has a TOTP device and signs in through the real login and verification forms (CSRF checked).

Seeds one school with --cases cases (web and SMS tips across categories, a few hundred
closed), then, for each concurrency level, runs phases of --seconds each, every thread with
its own httpx client (its own cookies):

- trivial: GET /privacy/ (a template page through the whole middleware stack, no query);
- tip: POST /s/<school>/ with the form's CSRF token, then its redirect: a receipt page must
  come back;
- sms: POST /sms/twilio/inbound/ signed with the SDK's RequestValidator
  (tipline.twilio_client.signature_compute) for PUBLIC_BASE_URL + path, distinct senders (a
  new sender every fifth text; the others follow up in the sender's thread); TwiML must
  come back;
- trivial-signed-in: the same /privacy/ signed in as a counselor (what being signed in
  costs every staff page: session, second factor, roles, navigation badges);
- queue: GET /staff/cases/ signed in as the counselor; the queue table must come back;
- feed: GET /alerts/ signed in as the counselor, over --alerts alerts; the list must come back.

--phases picks some of them (the trivial page always runs: it is the yardstick).

Prints req/s, p50 and p95 per phase and the ratio of each to the trivial page at the same
concurrency. Any failed request fails the run. Drops the database and its Redis on exit.

    .venv/bin/python bench/load.py [--cases 2000] [--alerts 1000] [--concurrency 8 20]
        [--seconds 15] [--workers <2 x CPUs + 1, as config/gunicorn.py>]
        [--phases trivial-signed-in queue feed] [--database bench_load]
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psycopg
from django_otp.oath import TOTP

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.drill_faults import ADMIN_DSN, Stack, free_port, seed
from tipline.twilio_client import signature_compute

DB_NAME = "bench_load"
SCHOOL = "/s/drill-high/"
PASSWORD = "correct horse battery staple"
SMS_PATH = "/sms/twilio/inbound/"
SMS_NUMBER = "+13035550001"
AUTH_TOKEN = "bench-load-auth-token-0123456789ab"
ACCOUNT_SID = "AC" + "0" * 32
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIP = {
    "body": "Someone is selling vapes in the east bathroom before first period.",
    "category": "substances",
    "danger_now": "no",
    "location": "East bathroom",
}

SEED_CASES = """
import itertools
from django.db import transaction
from accounts.models import Membership, PhoneNumber, School, User
from django_otp.plugins.otp_totp.models import TOTPDevice
from cases.models import Case, CaseStatus, Category, Channel
from tipline.models import Reporter
from tipline.services.tips import tip_create

school = School.objects.get(slug='drill-high')
PhoneNumber.objects.create(number='{number}', district=school.district, school=school)
# One counselor per client thread, each with an authenticator (a code is good once).
for index in range({counselors}):
    user = User.objects.create_user(
        f'counselor{{index}}@bench.example', '{password}', full_name=f'Counselor {{index}}'
    )
    Membership.objects.create(user=user, school=school, role='counselor')
    TOTPDevice.objects.create(user=user, name='bench')
categories = itertools.cycle([c for c, _ in Category.choices])
bodies = [
    'Kids are fighting behind the gym after school every Friday',
    'Someone posted a threat about the band room on a group chat',
    'A student in 9th grade says she is being bullied on the bus',
    'Vapes are sold in the east bathroom before first period',
    'My friend talked about hurting himself and I am worried',
]
with transaction.atomic():
    for index in range({cases}):
        channel = Channel.SMS if index % 4 == 0 else Channel.WEB
        reporter = Reporter.objects.create(
            channel=channel, receipt_code_digest=f'bench-{{index}}', alias=f'Bench {{index}}'
        )
        tip_create(
            school=school, channel=channel, category=next(categories),
            body=f'{{bodies[index % len(bodies)]}} (seed {{index}})', reporter=reporter,
        )
    closed = list(Case.objects.order_by('id').values_list('id', flat=True)[: {cases} // 5])
    Case.objects.filter(id__in=closed).update(status=CaseStatus.CLOSED)
    from alerts.models import Alert, Post, Source, SourceKind
    source = Source.objects.create(district=school.district, kind=SourceKind.PUSH, name='Bench')
    posts = [
        "gonna fight him after school behind the gym",
        "someone said they will bring a knife tomorrow",
    ]
    for number in range({alerts}):
        post = Post.objects.create(
            source=source, external_id=f'p{{number}}', fingerprint=f'p{{number}}',
            text=f'{{posts[number % 2]}} at drill high #{{number}}',
        )
        Alert.objects.create(
            post=post, source=source, school=school, score=0.5, group_key=f'p{{number}}',
            severity=('critical', 'high', 'medium', 'low')[number % 4], top_category='violence',
        )
print(Case.objects.count(), 'cases', Alert.objects.count(), 'alerts')
"""


def database(query: str, params=None) -> list[tuple]:
    with psycopg.connect(ADMIN_DSN.rsplit("/", 1)[0] + f"/{DB_NAME}") as db:
        return db.execute(query, params).fetchall()


def sign_in(base_url: str, email: str, key: bytes) -> httpx.Cookies:
    """A counselor's real sign-in: the login form, then the six-digit code (CSRF checked on
    both); returns the session's cookies."""
    with httpx.Client(base_url=base_url, timeout=60, follow_redirects=True) as client:
        token = CSRF.search(client.get("/accounts/login/").text)[1]
        page = client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD},
        )
        if "/accounts/2fa/verify/" not in str(page.url):
            raise SystemExit(f"{email}: sign-in did not ask for the code ({page.url})")
        token = CSRF.search(page.text)[1]
        code = f"{TOTP(key, step=30, digits=6).token():06d}"
        page = client.post(
            "/accounts/2fa/verify/",
            data={"csrfmiddlewaretoken": token, "token": code, "next": "/staff/cases/"},
        )
        if page.status_code != 200 or "case-queue" not in page.text:
            raise SystemExit(f"{email}: sign-in failed ({page.status_code} {page.url})")
        return client.cookies
    response = client.post(
        "/accounts/2fa/verify/",
        data={"csrfmiddlewaretoken": token, "token": code, "next": "/staff/cases/"},
    )
    if "case-queue" not in response.text:
        raise SystemExit(f"counselor sign-in failed: {response.status_code} {response.url}")


class Phases:
    """The four kinds of request; each `prepare` runs per thread before the clock starts."""

    def __init__(self, base_url: str, sessions: list[httpx.Cookies]):
        self.base_url, self.sessions = base_url, sessions
        self.senders = itertools.count()

    def prepare(self, kind: str, client: httpx.Client, index: int) -> dict:
        if kind == "tip":
            return {"token": CSRF.search(client.get(SCHOOL).text)[1]}
        if kind in SIGNED_IN:
            client.cookies = self.sessions[index]
        return {}

    def send(self, kind: str, client: httpx.Client, state: dict) -> bool:
        if kind in ("trivial", "trivial-signed-in"):
            response = client.get("/privacy/")
            signed_in = 'action="/accounts/logout/"' in response.text
            return response.status_code == 200 and signed_in == (kind != "trivial")
        if kind == "tip":
            response = client.post(
                SCHOOL,
                data={**TIP, "csrfmiddlewaretoken": state["token"]},
                follow_redirects=True,
            )
            return response.status_code == 200 and "receipt-code" in response.text
        if kind == "queue":
            response = client.get("/staff/cases/")
            return response.status_code == 200 and "case-queue" in response.text
        if kind == "feed":
            response = client.get("/alerts/")
            return response.status_code == 200 and "alert-list" in response.text
        number = next(self.senders)
        params = {
            "MessageSid": f"SM{number:032x}",
            "AccountSid": ACCOUNT_SID,
            "From": f"+1720{number // 5:07d}",
            "To": SMS_NUMBER,
            "Body": f"load text {number} about something happening at school",
            "NumMedia": "0",
        }
        signature = signature_compute(
            url=self.base_url + SMS_PATH, params=params, secret=AUTH_TOKEN
        )
        response = client.post(SMS_PATH, data=params, headers={"X-Twilio-Signature": signature})
        return response.status_code == 200 and "<Response" in response.text


def run_phase(phases: Phases, kind: str, threads: int, seconds: float) -> dict:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    ready = threading.Barrier(threads + 1)

    def worker(index: int):
        with httpx.Client(base_url=phases.base_url, timeout=60) as client:
            state = phases.prepare(kind, client, index)
            ready.wait()
            mine, bad = [], []
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    ok, detail = phases.send(kind, client, state), "unexpected answer"
                except httpx.HTTPError as error:
                    ok, detail = False, type(error).__name__
                if ok:
                    mine.append(time.perf_counter() - started)
                else:
                    bad.append(detail)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    pool = [threading.Thread(target=worker, args=(index,)) for index in range(threads)]
    for thread in pool:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} failed {kind} requests: {failures[:5]}")
    latencies.sort()
    count = len(latencies)
    return {
        "rps": count / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[max(0, int(count * 0.95) - 1)] * 1000,
        "count": count,
    }


LABELS = {
    "trivial": "trivial (/privacy/)",
    "trivial-signed-in": "trivial, signed in",
    "tip": "tip submission",
    "sms": "signed SMS webhook",
    "queue": "case queue (/staff/cases/)",
    "feed": "alert feed (/alerts/)",
}
SIGNED_IN = ("trivial-signed-in", "queue", "feed")


def main() -> int:
    global DB_NAME
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--phases", nargs="+", choices=[k for k in LABELS if k != "trivial"])
    parser.add_argument("--database", default=DB_NAME, help="the throwaway database's name")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 20])
    parser.add_argument("--seconds", type=float, default=15)
    # config/gunicorn.py's own default: two per CPU plus one.
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    args = parser.parse_args()
    DB_NAME = args.database
    kinds = ["trivial", *(args.phases or [k for k in LABELS if k != "trivial"])]
    os.environ["DRILL_WEB_WORKERS"] = str(args.workers)
    workdir = Path(tempfile.mkdtemp(prefix="bench_load_"))
    stack = Stack(workdir, free_port())
    redis = f"127.0.0.1:{stack.redis_port}"
    stack.env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            "CELERY_BROKER_URL": f"redis://{redis}/0",
            "CACHE_URL": f"rediscache://{redis}/1",
            "STAFF_OTP_REQUIRED": "true",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "LOG_LEVEL": "WARNING",
        }
    )
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    try:
        stack.redis_start()
        seed(stack)
        started = time.perf_counter()
        stack.manage(
            "shell",
            "-c",
            SEED_CASES.format(
                number=SMS_NUMBER,
                counselors=max(*args.concurrency, args.workers),
                password=PASSWORD,
                cases=args.cases,
                alerts=args.alerts,
            ),
        )
        print(f"seeded {args.cases} cases in {time.perf_counter() - started:.0f} s", flush=True)
        stack.start("web")
        base = f"http://127.0.0.1:{stack.web_port}"
        for _ in range(200):
            try:
                if httpx.get(base + "/privacy/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        counselors = max(*args.concurrency, args.workers)
        keys = database(
            "SELECT u.email, d.key FROM otp_totp_totpdevice d JOIN accounts_user u"
            " ON u.id = d.user_id ORDER BY u.email"
        )
        sessions = [sign_in(base, email, bytes.fromhex(key)) for email, key in keys]
        assert len(sessions) == counselors, (len(sessions), counselors)
        phases = Phases(base, sessions)
        for kind in kinds:  # warm every worker's caches and connections
            run_phase(phases, kind, args.workers, 1)
        print(
            f"production settings, gunicorn {args.workers} sync workers, PostgreSQL 127.0.0.1/"
            f"{DB_NAME} ({args.cases} seeded cases), Redis broker + cache, "
            f"{args.seconds:g} s per phase, CPUs: {os.cpu_count()}, load average before: "
            f"{os.getloadavg()[0]:.1f}"
        )
        for threads in args.concurrency:
            results = {kind: run_phase(phases, kind, threads, args.seconds) for kind in kinds}
            baseline = results["trivial"]
            print(f"concurrency {threads}:")
            for kind, result in results.items():
                print(
                    f"  {LABELS[kind]:27} {result['rps']:7.1f} req/s   p50 {result['p50']:6.1f} ms"
                    f"   p95 {result['p95']:6.1f} ms   {result['count']:6d} requests   "
                    f"x{result['rps'] / baseline['rps']:.2f} of trivial req/s"
                )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        texts = next(phases.senders)
        stored = database(
            "SELECT (SELECT count(*) FROM tipline_tip WHERE provider_sid LIKE 'SM%')"
            " + (SELECT count(*) FROM tipline_message WHERE provider_sid LIKE 'SM%'"
            " AND direction = 'in')"
        )[0][0]
        flagged = database("SELECT count(*) FROM tipline_message WHERE flagged")[0][0]
        print(
            f"texts sent: {texts}; stored (tips + inbound messages): {stored}; flagged: {flagged}"
        )
        if "sms" in kinds and stored != texts:
            raise SystemExit("some signed texts were not stored")
    finally:
        stack.stop_all()
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
