"""Server time of the staff pages a counselor keeps open, in-process, beside the trivial page.

Usage (from the repository root; PostgreSQL at 127.0.0.1:5432, trust auth):

    .venv/bin/python bench/queue_pages.py [--cases 2000] [--alerts 1000] [--runs 60]

Creates a throwaway database (queue_pages_<pid>), migrates it, and seeds one school with
--cases cases through the product's own intake (web and SMS tips across categories and
several texts, a fifth of them closed) and --alerts social-post alerts. A counselor with an
authenticator signs in through the real login and code forms (two-factor verified, as in
production), then Django's test client requests, in one run:

- the trivial page (/privacy/) anonymous, and the same page signed in;
- the case queue (/staff/cases/, 50 rows with their previews decrypted and audited);
- the queue's live check (/staff/cases/live/ with the fingerprint it gave: nothing changed);
- the alert feed (/alerts/, 50 alerts);
- the home page after sign-in (/staff/: overdue and life-safety cases, then the user's own).

--keep / --reuse NAME keep a seeded database between runs (seeding takes a minute or two);
--profile URL prints a cProfile of 20 requests of one page (PROFILE_SORT=tottime for self
time, PROFILE_LINES=N for more lines); SHOW_QUERIES=1 prints each page's SQL.

For each it prints p50 and p95 server time over --runs requests after three warm-ups (wall
clock: Python, database and waiting for a CPU on a shared machine), the p50 of this process's
CPU time alone (Python's share: steadier when the machine is busy), and the number of SQL
queries of one request. The database is dropped at the end. Settings:
config.settings.test with CONN_MAX_AGE=60 and ROLES_CACHE_SECONDS=60, as production.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BODIES = [
    "Kids are fighting behind the gym after school every Friday",
    "Someone posted a threat about the band room on a group chat",
    "A student in 9th grade says she is being bullied on the bus, every day, by the same boys",
    "Vapes are sold in the east bathroom before first period",
    "My friend talked about hurting himself and I am worried",
    "There is a kid who keeps calling my sister names online and posting pictures of her",
]
POSTS = [
    "gonna fight him after school behind the gym",
    "this test is killing me lol",
    "someone said they will bring a knife tomorrow",
    "nobody would care if I was gone",
]


def seed(cases: int, alerts: int) -> None:
    import itertools

    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import District, Membership, School, User
    from alerts.models import Alert, Post, Source, SourceKind
    from cases.models import Case, CaseStatus, Category, Channel
    from tipline.models import Reporter
    from tipline.services.tips import message_from_reporter, tip_create

    district = District.objects.create(name="Bench District", slug="bench")
    school = School.objects.create(district=district, name="Bench High", slug="bench-high")
    user = User.objects.create_user("counselor@bench.example", PASSWORD, full_name="Counselor")
    Membership.objects.create(user=user, school=school, role="counselor")
    TOTPDevice.objects.create(user=user, name="bench")
    categories = itertools.cycle([c for c, _ in Category.choices])
    with transaction.atomic():
        for index in range(cases):
            channel = Channel.SMS if index % 4 == 0 else Channel.WEB
            reporter = Reporter.objects.create(
                channel=channel, receipt_code_digest=f"bench-{index}", alias=f"Bench {index}"
            )
            tip = tip_create(
                school=school,
                channel=channel,
                category=Category.OTHER if channel == Channel.SMS else next(categories),
                body=f"{BODIES[index % len(BODIES)]} (seed {index})",
                reporter=reporter,
            )
            if index % 3 == 0:
                message_from_reporter(
                    case=tip.case,
                    reporter=reporter,
                    body="one more thing: it was again today",
                    channel=channel,
                )
        closed = list(Case.objects.order_by("id").values_list("id", flat=True)[: cases // 5])
        Case.objects.filter(id__in=closed).update(status=CaseStatus.CLOSED)
        source = Source.objects.create(district=district, kind=SourceKind.PUSH, name="Bench")
        severities = ("critical", "high", "medium", "low")
        for number in range(alerts):
            post = Post.objects.create(
                source=source,
                external_id=f"p{number}",
                text=f"{POSTS[number % len(POSTS)]} at bench high #{number}",
                fingerprint=f"p{number}",
            )
            Alert.objects.create(
                post=post,
                source=source,
                school=school,
                score=0.5,
                severity=severities[number % 4],
                top_category="violence",
                group_key=f"p{number}",
            )


def sign_in(client) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = CSRF.search(client.get("/accounts/login/").content.decode())[1]
    page = client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "counselor@bench.example", "password": PASSWORD},
        follow=True,
    )
    token = CSRF.search(page.content.decode())[1]
    TOTPDevice.objects.update(last_t=-1)  # a code is good once: a rerun may reuse this one
    device = TOTPDevice.objects.get()
    code = f"{TOTP(device.bin_key, step=30, digits=6).token():06d}"
    page = client.post(
        "/accounts/2fa/verify/", {"csrfmiddlewaretoken": token, "token": code, "next": "/"}
    )
    if page.status_code != 302:
        raise SystemExit(f"sign-in failed: {page.status_code}")


def _fingerprint(client) -> str:
    found = re.search(r'data-live-since="([^"]*)"', client.get("/staff/cases/").content.decode())
    return found[1] if found else ""


def measure(client, url: str, runs: int, check: str, status: int = 200) -> dict:
    from django.db import connection

    for _ in range(3):
        response = client.get(url)
        if response.status_code != status or check.encode() not in response.content:
            return {"error": f"unexpected answer {response.status_code}"}
    queries = []
    with connection.execute_wrapper(lambda run, sql, *args: queries.append(sql) or run(sql, *args)):
        client.get(url)
    durations, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    durations.sort()
    if os.environ.get("SHOW_QUERIES"):
        print("\n".join(f"    {sql[:160]}" for sql in queries))
    return {
        "p50": statistics.median(durations),
        "p95": durations[max(0, int(len(durations) * 0.95) - 1)],
        "cpu": statistics.median(cpu),
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", default="", help="a database seeded and kept by --keep")
    parser.add_argument("--profile", default="", help="print a cProfile of this URL, signed in")
    options = parser.parse_args()
    name = options.reuse or f"queue_pages_{os.getpid()}"
    if options.reuse:
        options.keep = True
    else:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        {
            "DATABASE_URL": f"{SERVER}/{name}",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "ERROR",
            # As in production (config/settings/base.py); the test settings turn it off.
            "ROLES_CACHE_SECONDS": "60",
        }
    )
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        call_command("migrate", verbosity=0)
        if not options.reuse:
            started = time.perf_counter()
            seed(options.cases, options.alerts)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum keeps them
            print(
                f"seeded {options.cases} cases and {options.alerts} alerts in "
                f"{time.perf_counter() - started:.0f} s"
            )
        print(
            f"PostgreSQL 127.0.0.1/{name}, {options.runs} runs per page, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        anonymous, staff = Client(), Client()
        sign_in(staff)
        if options.profile:
            import cProfile
            import pstats

            for _ in range(3):
                staff.get(options.profile)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(20):
                staff.get(options.profile)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("PROFILE_LINES", "45")))
            return
        pages = [
            ("trivial (/privacy/), anonymous", anonymous, "/privacy/", "<main", 200),
            ("trivial (/privacy/), signed in", staff, "/privacy/", "<main", 200),
            ("case queue (/staff/cases/)", staff, "/staff/cases/", "case-queue", 200),
            (
                "queue live check, unchanged",
                staff,
                "/staff/cases/live/?since={fingerprint}",
                "",
                204,
            ),
            ("alert feed (/alerts/)", staff, "/alerts/", "alert-list", 200),
            ("home after sign-in (/staff/)", staff, "/staff/", "my-work", 200),
        ]
        baseline = None
        for label, client, url, check, status in pages:
            if "{fingerprint}" in url:
                # The fingerprint the queue gives now: it moves when a seeded case's SLA due
                # time passes (the counts change), so it is read just before it is used, and
                # read again once if one passed in between.
                for _attempt in range(2):
                    result = measure(
                        client,
                        url.format(fingerprint=_fingerprint(staff)),
                        options.runs,
                        check,
                        status,
                    )
                    if "error" not in result:
                        break
            else:
                result = measure(client, url, options.runs, check, status)
            if "error" in result:
                print(f"  {label:34} {result['error']}")
                continue
            baseline = baseline or result["p50"]
            print(
                f"  {label:34} p50 {result['p50']:6.2f} ms   p95 {result['p95']:6.2f} ms   "
                f"CPU p50 {result['cpu']:6.2f} ms   queries {result['queries']:3d}   "
                f"x{result['p50'] / baseline:.1f} of trivial"
            )
        connection.close()
    finally:
        if options.keep:
            print(f"kept: --reuse {name}")
        else:
            with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
