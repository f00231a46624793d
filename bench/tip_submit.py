"""Tips per second through the real submission path, beside a trivial page, same run.

Creates a throwaway PostgreSQL database, migrates it, seeds one school, starts gunicorn on the
real WSGI stack (with a Redis broker so the counselor email is really queued after commit,
and a Redis cache for the throttles), then drives it with a few client threads over HTTP:
first the privacy page (a template, no database: the trivial baseline), then tip submissions
(GET the form once per thread for the CSRF token, then POST tips). Prints requests/second,
p50/p95 latency for each, and the ratio. Drops the database and empties the two Redis
databases it used (it refuses to start if they hold anything).

    .venv/bin/python bench/tip_submit.py [--database-url postgres://postgres@127.0.0.1:5432/bench_tips]
        [--seconds 10] [--threads 4] [--workers 2]
"""

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
BROKER_DB, CACHE_DB = 12, 13
TIP = {
    "body": "Someone is selling vapes in the east bathroom before first period.",
    "category": "substances",
    "danger_now": "no",
    "location": "East bathroom",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connection(url):
    return psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username or "postgres",
        dbname="postgres",
        autocommit=True,
    )


def run_phase(base, path, seconds, threads, post):
    latencies, errors, stop = [], [], threading.Event()
    lock = threading.Lock()

    def worker():
        with httpx.Client(base_url=base, timeout=30) as client:
            token = None
            if post:
                page = client.get(path)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
            mine = []
            while not stop.is_set():
                started = time.perf_counter()
                if post:
                    response = client.post(path, data={**TIP, "csrfmiddlewaretoken": token})
                    ok = response.status_code == 200 and "receipt-code" in response.text
                else:
                    response = client.get(path)
                    ok = response.status_code == 200
                elapsed = time.perf_counter() - started
                if ok:
                    mine.append(elapsed)
                else:
                    errors.append(response.status_code)
            with lock:
                latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in pool:
        thread.join()
    if errors:
        raise SystemExit(f"{len(errors)} failed requests on {path}: {errors[:5]}")
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "count": len(latencies),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_tips")
    parser.add_argument("--redis", default="127.0.0.1:6379")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = urlparse(args.database_url)
    name = url.path.lstrip("/")
    host, _, rport = args.redis.partition(":")
    stores = [
        redis.Redis(host=host, port=int(rport or 6379), db=db) for db in (BROKER_DB, CACHE_DB)
    ]
    if any(store.dbsize() for store in stores):
        raise SystemExit(f"Redis databases {BROKER_DB} and {CACHE_DB} must be empty to start.")
    with admin_connection(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": args.database_url,
        "CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": f"redis://{args.redis}/{BROKER_DB}",
        "CACHE_URL": f"rediscache://{args.redis}/{CACHE_DB}",
        "TIPLINE_TIPS_PER_CLIENT": "1000000000",
        "TIPLINE_GLOBAL_TIPS_PER_MINUTE": "1000000000",
        "MEDIA_ROOT": "/tmp/bench_tips_media",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    server = None
    try:
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        seed = (
            "from accounts.models import District, School, Membership, User;"
            "d=District.objects.create(name='Bench', slug='bench');"
            "s=School.objects.create(district=d, name='Bench High', slug='bench-high');"
            "u=User.objects.create_user('c@bench.example', 'x', full_name='C');"
            "Membership.objects.create(user=u, school=s, role='counselor')"
        )
        subprocess.run([python, "manage.py", "shell", "-c", seed], cwd=ROOT, env=env, check=True)
        server = subprocess.Popen(
            [
                str(Path(python).parent / "gunicorn"),
                "config.wsgi",
                "-c",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/privacy/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        run_phase(base, "/privacy/", 2, args.threads, post=False)  # warm up
        run_phase(base, "/s/bench-high/", 2, args.threads, post=True)
        trivial = run_phase(base, "/privacy/", args.seconds, args.threads, post=False)
        tips = run_phase(base, "/s/bench-high/", args.seconds, args.threads, post=True)
        with psycopg.connect(args.database_url.replace("postgres://", "postgresql://")) as db:
            stored = db.execute("SELECT count(*) FROM tipline_tip").fetchone()[0]
        queued = stores[0].llen("celery")
        print(
            f"gunicorn workers={args.workers}, client threads={args.threads}, "
            f"{args.seconds:g} s per phase, PostgreSQL {url.hostname}/{name}"
        )
        for label, result in (("trivial view (/privacy/)", trivial), ("tip submission", tips)):
            print(
                f"{label:26} {result['rps']:8.1f} req/s   p50 {result['p50']:6.1f} ms   "
                f"p95 {result['p95']:6.1f} ms   ({result['count']} requests)"
            )
        print(f"tips stored: {stored}; counselor emails queued on the broker: {queued}")
        print(f"ratio tip/trivial throughput: {tips['rps'] / trivial['rps']:.2f} (target >= 0.50)")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        for store in stores:
            store.flushdb()
        with admin_connection(url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", "/tmp/bench_tips_media"], check=False)


if __name__ == "__main__":
    main()
