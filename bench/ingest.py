"""Posts per second through the push API into PostgreSQL, beside a plain psycopg
executemany of the same rows into the same table, measured in the same run.

    env -u DJANGO_SETTINGS_MODULE .venv/bin/python bench/ingest.py [--posts 20000]
        [--batch 1000] [--runs 3] [--server postgres://postgres@127.0.0.1:5432]
        [--profile FILE]

Creates a throwaway database (dropped at the end) and migrates it. Each run pushes the posts
in batches through POST /api/v1/alerts/posts/ with Django's test client: the whole stack but
the socket (middleware, token auth, per-item validation, scoring per school, storing, alert
grouping, the JSON answer). Right after each batch, the same rows as the API stored them go
into the same table with `cursor.executemany` on a plain psycopg connection, one transaction
per batch: the ceiling. Interleaving the two keeps both under the same machine load (other
work on a shared machine would otherwise favour whichever phase it spared). Prints both rates
and their ratio for each run, then the median ratio.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENIGN = [
    "great game tonight, the Lincoln Lions crushed it",
    "this chem test is killing me lol",
    "anyone selling a prom ticket? DM me",
    "who else thinks the cafeteria pizza is fire",
    "shoot hoops after school at the park?",
    "I bombed the history quiz, send help",
    "the new library hours at LHS are actually nice",
    "that movie trailer is insane, I'm dead",
]
HARMFUL = [
    "I'm going to shoot everyone at Lincoln High tomorrow",
    "nobody at LHS would notice if I was gone, I want to kill myself tonight",
    "bringing a knife to Lincoln High on Friday, they will regret it",
    "kill yourself, everyone at Lincoln High hates you",
]


def make_rows(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        pool = HARMFUL if rng.random() < 0.02 else BENIGN
        text = f"{rng.choice(pool)} #{n % 97} {rng.randrange(10**6)}"
        rows.append(
            {
                "external_id": f"bench-{n}",
                "text": text,
                "author": f"@user{rng.randrange(5000)}",
                "url": f"https://social.example/p/{n}",
                "posted_at": "2026-03-02T08:15:00Z",
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--profile", metavar="FILE", help="write cProfile stats of the API calls")
    args = parser.parse_args()
    name = f"tipline_bench_ingest_{os.getpid()}"
    admin_url = f"{args.server}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        run(args, f"{args.server}/{name}")
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


URL = "/api/v1/alerts/posts/"
STORED = (
    "external_id",
    "author_handle",
    "text",
    "url",
    "posted_at",
    "received_at",
    "fingerprint",
    "score",
    "severity",
)
# The ceiling writes exactly what the pipeline stored (fingerprint, score and all), so the
# database does the same work; nothing else.
INSERT = (
    "INSERT INTO alerts_post (source_id, external_id, author_handle, text, url, posted_at,"
    " received_at, fingerprint, score, severity) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
)


def run(args, database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import District, School
    from alerts.models import Alert, Post, Source, SourceKind
    from alerts.services import source_push_token_issue
    from scoring import default_scorer

    call_command("migrate", verbosity=0)
    district = District.objects.create(name="Bench", slug="bench")
    school = School.objects.create(
        district=district, name="Lincoln High", slug="lincoln", alert_terms="Lincoln High\nLHS"
    )
    source = Source.objects.create(district=district, kind=SourceKind.PUSH, name="bench push")
    source.schools.set([school])
    baseline_source = Source.objects.create(district=district, kind=SourceKind.PUSH, name="base")
    token = source_push_token_issue(source=source)
    default_scorer()  # lexicons load once per process, outside the timing
    rows = make_rows(args.posts)
    # The pusher's own work, encoding its JSON, is done before the clock starts.
    bodies = [
        json.dumps({"posts": rows[offset : offset + args.batch]})
        for offset in range(0, len(rows), args.batch)
    ]
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    # One untimed request first: modules the first request imports are not throughput.
    warm_up = json.dumps({"posts": make_rows(args.batch, seed=1)})
    response = client.post(URL, warm_up, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content[:300]
    profiler = cProfile.Profile() if args.profile else None
    print(f"posts: {len(rows)} in batches of {args.batch}; load average {_load()}")
    ratios = []
    with psycopg.connect(database_url) as raw:
        for number in range(1, args.runs + 1):
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE alerts_alert, alerts_post")
            api_seconds = raw_seconds = 0.0
            for offset, body in zip(range(0, len(rows), args.batch), bodies, strict=True):
                batch = rows[offset : offset + args.batch]
                if profiler:
                    profiler.enable()
                started = time.perf_counter()
                response = client.post(URL, body, content_type="application/json", headers=headers)
                api_seconds += time.perf_counter() - started
                if profiler:
                    profiler.disable()
                assert response.status_code == 200, response.content[:300]
                assert response.json()["stored"] == len(batch), response.json()
                stored = Post.objects.filter(
                    source=source, external_id__in=[row["external_id"] for row in batch]
                ).values_list(*STORED)
                params = [(baseline_source.id, *row) for row in stored]
                started = time.perf_counter()
                with raw.transaction(), raw.cursor() as cursor:
                    cursor.executemany(INSERT, params)
                raw_seconds += time.perf_counter() - started
            assert Post.objects.filter(source=source).count() == len(rows)
            assert Post.objects.filter(source=baseline_source).count() == len(rows)
            api_rate, raw_rate = len(rows) / api_seconds, len(rows) / raw_seconds
            ratios.append(api_rate / raw_rate)
            print(
                f"run {number}: push API (validate, score, store, alert) {api_rate:,.0f} posts/s"
                f" ({api_seconds:.2f} s); psycopg executemany (same rows) {raw_rate:,.0f}"
                f" posts/s ({raw_seconds:.2f} s); ratio {ratios[-1]:.2f};"
                f" alerts raised {Alert.objects.count()}"
            )
    connection.close()
    if profiler:
        profiler.dump_stats(args.profile)
    print(f"load average {_load()}")
    print(
        f"median ratio over {len(ratios)} runs: {statistics.median(ratios):.2f}"
        " of the ceiling (target >= 0.30)"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
