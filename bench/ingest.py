"""Posts per second through the push API into PostgreSQL, beside a plain psycopg
executemany of the same rows into the same table, measured in the same run.

    .venv/bin/python bench/ingest.py [--posts 20000] [--batch 1000]
        [--server postgres://postgres@127.0.0.1:5432]

Creates a throwaway database (dropped at the end), migrates it, pushes the posts in batches
through POST /api/v1/alerts/posts/ (Django's test client: the whole stack but the socket:
token auth, per-item validation, scoring per school, bulk inserts, alert grouping), then
inserts the same rows with `cursor.executemany` and prints both rates and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
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
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
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
    from alerts.scoring import default_scorer
    from alerts.services import source_push_token_issue

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
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}

    started = time.perf_counter()
    for offset in range(0, len(rows), args.batch):
        response = client.post(
            "/api/v1/alerts/posts/",
            {"posts": rows[offset : offset + args.batch]},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 200, response.content[:300]
    api_seconds = time.perf_counter() - started
    stored = Post.objects.filter(source=source).count()
    alerts = Alert.objects.count()
    assert stored == len(rows), stored

    # The ceiling: the same rows (with the fingerprint and score the pipeline computed, so
    # the database writes the same bytes) through one executemany, nothing else.
    stored_rows = list(
        Post.objects.filter(source=source).values_list(
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
    )
    sql = (
        "INSERT INTO alerts_post (source_id, external_id, author_handle, text, url, posted_at,"
        " received_at, fingerprint, score, severity) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
    )
    params = [(baseline_source.id, *row) for row in stored_rows]
    with psycopg.connect(database_url) as raw:
        started = time.perf_counter()
        for offset in range(0, len(params), args.batch):
            with raw.transaction(), raw.cursor() as cursor:
                cursor.executemany(sql, params[offset : offset + args.batch])
        raw_seconds = time.perf_counter() - started
    connection.close()

    api_rate = len(rows) / api_seconds
    raw_rate = len(rows) / raw_seconds
    print(f"posts: {len(rows)} in batches of {args.batch}; alerts raised: {alerts}")
    print(
        f"push API (validate, score, store, alert): {api_rate:,.0f} posts/s ({api_seconds:.2f} s)"
    )
    print(f"psycopg executemany (same rows): {raw_rate:,.0f} posts/s ({raw_seconds:.2f} s)")
    print(f"ratio: {api_rate / raw_rate:.2f} of the ceiling (target >= 0.30)")


if __name__ == "__main__":
    main()
