"""Speed of the school summary and the district roll-up on PostgreSQL, with a baseline.

Usage (from the repository root; PostgreSQL at 127.0.0.1:5432, trust auth):

    .venv/bin/python bench/summary.py [--cases 200000] [--alerts 1000000] [--runs 30]
        [--period 2025-03] [--keep] [--reuse DATABASE]

It creates a throwaway database (summary_bench_<pid>), migrates it, seeds it with
`bench/seed_summary.py` (COPY), then requests the school summary page and the
district roll-up page through Django's test client as a principal and a district admin:
whole requests (session, permissions, the queries, template and SVG rendering). For each it
prints p50 and p95 over --runs requests after two warm-ups, and the number of SQL queries of
one request, then the de-identified case list (school and district, a school year). The
baseline, measured in the same run, is a plain COUNT(*) over the cases
table; the ratios say how many such counts a page costs. The database is dropped at the
end unless --keep. --reuse NAME measures a database kept by an earlier run instead (it is
migrated first, which applies any new migration, and kept). Targets (issue 7): p50 under
300 ms each, at most 15 queries (the navigation's badges included).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def timed(function, runs: int) -> list[float]:
    for _ in range(2):
        function()
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--period", default="", help="default: the month before this one")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", default="", help="a seeded database kept by --keep")
    options = parser.parse_args()
    name = options.reuse or f"summary_bench_{os.getpid()}"
    if options.reuse:
        options.keep = True
    else:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{name}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    try:
        started = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v0")
        print(f"migrated in {time.perf_counter() - started:.1f} s")
        if not options.reuse:
            subprocess.run(
                [
                    sys.executable,
                    "bench/seed_summary.py",
                    "--cases",
                    str(options.cases),
                    "--alerts",
                    str(options.alerts),
                ],
                cwd=ROOT,
                env=env,
                check=True,
            )
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        measure(options)
    finally:
        if not options.keep:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"kept database {name}")


def measure(options) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import District, DistrictMembership, Membership, Role, School, User
    from summaries.periods import local_today, month_period

    district = District.objects.get(slug="bench-district")
    school = School.objects.filter(district=district).order_by("name").first()
    principal = User.objects.filter(email="principal@bench.example").first()
    if principal is None:  # a reused database has them from its first run
        principal = User.objects.create_user("principal@bench.example", "x", full_name="P")
        Membership.objects.create(user=principal, school=school, role=Role.PRINCIPAL)
    admin = User.objects.filter(email="admin@bench.example").first()
    if admin is None:
        admin = User.objects.create_user("admin@bench.example", "x", full_name="A")
        DistrictMembership.objects.create(user=admin, district=district)
    period = options.period or month_period(local_today(school.timezone)).previous().key
    pages = {
        "school summary": (principal, reverse("summaries:school", args=[school.pk])),
        "district roll-up": (admin, reverse("summaries:district", args=[district.pk])),
    }

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM cases_case")
            cursor.fetchone()

    base = timed(baseline, options.runs)
    base_p50 = percentile(base, 0.5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        cases = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM alerts_alert")
        alerts = cursor.fetchone()[0]
    print(f"database: {cases:,} cases, {alerts:,} alerts; period {period}; {options.runs} runs")
    base_p95 = percentile(base, 0.95)
    print(f"{'baseline COUNT(*) cases':28s} p50 {base_p50:8.1f} ms  p95 {base_p95:8.1f} ms")
    for label, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        target = f"{url}?period={period}"

        def fetch(client=client, target=target):
            response = client.get(target)
            assert response.status_code == 200, response.status_code

        durations = timed(fetch, options.runs)
        with CaptureQueriesContext(connection) as queries:
            fetch()
        p50, p95 = percentile(durations, 0.5), percentile(durations, 0.95)
        print(
            f"{label:28s} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  queries {len(queries):3d}  "
            f"ratio p50/baseline {p50 / base_p50:6.2f}  "
            f"[{'ok' if p50 < 300 and len(queries) <= 15 else 'MISSES TARGET'}]"
        )
    # The navigation's badges run on every staff page (included in the pages above).
    from config.navigation import STAFF_NAVIGATION_COUNTS

    for url_name, (counter, _label) in STAFF_NAVIGATION_COUNTS.items():
        durations = timed(lambda c=counter: c(user=admin), options.runs)
        with CaptureQueriesContext(connection) as queries:
            counter(user=admin)
        p50, p95 = percentile(durations, 0.5), percentile(durations, 0.95)
        label = f"badge {url_name}"
        print(f"{label:28s} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  queries {len(queries):3d}")
    school_year = f"SY{month_period(local_today(school.timezone)).first_day.year - 1}"
    for label, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        durations = timed(lambda c=client, u=url: c.get(f"{u}?period={school_year}"), 5)
        print(f"{label + ' (school year)':28s} p50 {percentile(durations, 0.5):8.1f} ms (5 runs)")
    # The de-identified case list: counts of combinations, grouped in the database.
    exports = {
        "case list, school": (principal, reverse("summaries:school_case_list", args=[school.pk])),
        "case list, district": (admin, reverse("summaries:district_case_list", args=[district.pk])),
    }
    for label, (user, url) in exports.items():
        client = Client()
        client.force_login(user)

        def download(client=client, target=f"{url}?period={school_year}"):
            response = client.get(target)
            assert response.status_code == 200, response.status_code
            return b"".join(response.streaming_content).count(b"\n") - 1

        durations = timed(download, 5)
        rows = download()
        p50 = percentile(durations, 0.5)
        print(f"{label + ' (school year)':28s} p50 {p50:8.1f} ms (5 runs), {rows:,} rows")


if __name__ == "__main__":
    main()
