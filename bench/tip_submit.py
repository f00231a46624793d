"""Tips per second through the real submission path, beside a trivial page, same run.

Creates a throwaway PostgreSQL database, migrates it, seeds one school, starts gunicorn on the
real WSGI stack (with a Redis broker so the counselor email is really queued after commit,
and a Redis cache for the throttles, as in production), then drives it with a few client
threads over HTTP, alternating phases for --rounds rounds:

- the trivial view, /privacy/: a translated template page through the same middleware stack
  (sessions, CSRF, locale, auth, OTP, axes) with no database or cache query. It is the
  cheapest honest page of the same stack; /healthz is not used because it opens a database
  query and a broker connection on purpose;
- tip submissions: each thread GETs the form once (CSRF cookie and token), then POSTs tips
  (CSRF checked on every POST, throttles counted, tip stored and its case opened in one
  transaction, counselor email queued on the broker after commit, then the redirect followed
  and the receipt page rendered: two requests per tip).

Throughput can only be compared in one run on one machine, and this one (2 cores) is shared:
so every phase also records the CPU time each process spent per request (gunicorn workers,
the PostgreSQL backends of the bench database, the load generator), and a second, quieter
comparison runs both pages in-process (django.test.Client, the same settings and services)
measuring CPU time per request of Django and of its PostgreSQL backend. Prints medians of the
rounds and the ratios. Drops the database and empties the two Redis databases it used (it
refuses to start if they hold anything).

    .venv/bin/python bench/tip_submit.py [--database-url postgres://postgres@127.0.0.1:5432/bench_tips]
        [--seconds 10] [--threads 4] [--workers 2] [--rounds 3] [--in-process-requests 600]
"""

import argparse
import json
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

ROOT = Path(__file__).resolve().parent.parent
BROKER_DB, CACHE_DB = 12, 13
TRIVIAL_PATH = "/privacy/"
TIP_PATH = "/s/bench-high/"
TIP = {
    "body": "Someone is selling vapes in the east bathroom before first period.",
    "category": "substances",
    "danger_now": "no",
    "location": "East bathroom",
}
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connection(url):
    import psycopg

    return psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username or "postgres",
        dbname="postgres",
        autocommit=True,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in text.split()]


class CpuMeter:
    """CPU seconds spent by the gunicorn workers, the bench database's PostgreSQL backends
    and this load generator between start() and stop()."""

    def __init__(self, server_pid: int, admin, dbname: str):
        self.server_pid, self.admin, self.dbname = server_pid, admin, dbname

    def _pids(self) -> dict[str, list[int]]:
        rows = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.dbname]
        ).fetchall()
        return {"gunicorn": children(self.server_pid), "postgres": [row[0] for row in rows]}

    def _sample(self, pids) -> dict[str, dict[int, float]]:
        return {group: {pid: cpu_seconds(pid) for pid in members} for group, members in pids}

    def start(self):
        self.before = self._sample(self._pids().items())
        self.client_before = time.process_time()

    def stop(self) -> dict[str, float]:
        after = self._sample(self._pids().items())
        spent = {
            group: sum(value - self.before[group].get(pid, 0.0) for pid, value in values.items())
            for group, values in after.items()
        }
        spent["load generator"] = time.process_time() - self.client_before
        return spent


def run_phase(base, path, seconds, threads, post, meter=None):
    import httpx

    latencies, errors, stop = [], [], threading.Event()
    lock = threading.Lock()
    ready = threading.Barrier(threads + 1)

    def worker():
        with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
            token = None
            if post:
                token = CSRF_TOKEN.search(client.get(path).text)[1]
            ready.wait()
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
    ready.wait()
    if meter:
        meter.start()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu = meter.stop() if meter else {}
    if errors:
        raise SystemExit(f"{len(errors)} failed requests on {path}: {errors[:5]}")
    latencies.sort()
    count = len(latencies)
    return {
        "rps": count / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[max(0, int(count * 0.95) - 1)] * 1000,
        "count": count,
        "cpu_ms": {group: seconds * 1000 / count for group, seconds in cpu.items()},
    }


def in_process(requests: int) -> dict:
    """Both pages through django.test.Client in this process: CPU ms per request of Django
    and of its PostgreSQL backend (whose /proc figures tick every 10 ms: batches are long),
    in alternating batches (medians), and queries per tip."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(enforce_csrf_checks=True)
    token = CSRF_TOKEN.search(client.get(TIP_PATH).content.decode())[1]

    def post_tip():
        response = client.post(TIP_PATH, {**TIP, "csrfmiddlewaretoken": token})
        assert response.status_code == 303
        return response["Location"]

    def tip():
        receipt = client.get(post_tip())
        assert receipt.status_code == 200 and b"receipt-code" in receipt.content

    def trivial():
        assert client.get(TRIVIAL_PATH).status_code == 200

    for _ in range(30):
        tip(), trivial()
    with CaptureQueriesContext(connection) as queries:
        location = post_tip()
    # Read now: the next request clears the connection's query log.
    queries_per_tip = len(queries.captured_queries)
    client.get(location)
    backend = connection.connection.info.backend_pid
    batches, batch = 12, max(1, requests // 12)
    samples = {"trivial": [], "tip": []}
    for _ in range(batches):
        for name, request in (("trivial", trivial), ("tip", tip)):
            django_before, pg_before = time.process_time(), cpu_seconds(backend)
            for _ in range(batch):
                request()
            samples[name].append(
                (
                    (time.process_time() - django_before) * 1000 / batch,
                    (cpu_seconds(backend) - pg_before) * 1000 / batch,
                )
            )
    result = {"queries_per_tip": queries_per_tip, "requests": batch * batches}
    for name, rows in samples.items():
        result[name] = {
            "django": statistics.median(row[0] for row in rows),
            "postgres": statistics.median(row[1] for row in rows),
        }
    return result


def report(args, url, name, rounds, inproc, stored, queued):
    print(
        f"gunicorn workers={args.workers} (both phases), client threads={args.threads}, "
        f"{args.seconds:g} s per phase, {args.rounds} rounds (median shown), "
        f"PostgreSQL {url.hostname}/{name}"
    )
    print(
        f"trivial view = {TRIVIAL_PATH}: a template page through the full middleware stack, "
        "no database or cache query (/healthz is not trivial: it queries the database and "
        "connects to the broker)."
    )
    medians = {}
    for label, key in (("trivial view", "trivial"), ("tip submission", "tip")):
        runs = [one[key] for one in rounds]
        median = {
            field: statistics.median(run[field] for run in runs) for field in ("rps", "p50", "p95")
        }
        median["cpu_ms"] = {
            group: statistics.median(run["cpu_ms"][group] for run in runs)
            for group in runs[0]["cpu_ms"]
        }
        medians[key] = median
        all_rps = ", ".join(f"{run['rps']:.1f}" for run in runs)
        print(
            f"{label:15} {median['rps']:7.1f} req/s   p50 {median['p50']:6.1f} ms   "
            f"p95 {median['p95']:6.1f} ms   (rounds: {all_rps} req/s)"
        )
    print("CPU ms per request, by process (median of rounds):")
    totals = {"trivial": 0.0, "tip": 0.0}
    for group in medians["tip"]["cpu_ms"]:
        trivial, tip = medians["trivial"]["cpu_ms"][group], medians["tip"]["cpu_ms"][group]
        totals["trivial"] += trivial
        totals["tip"] += tip
        print(f"  {group:15} trivial {trivial:6.2f}   tip {tip:6.2f}")
    print(
        f"  {'all':15} trivial {totals['trivial']:6.2f}   tip {totals['tip']:6.2f}   "
        f"(if CPU bound, the ratio could reach {totals['trivial'] / totals['tip']:.2f})"
    )
    print(f"tips stored: {stored}; counselor emails queued on the broker: {queued}")
    print(
        f"in-process, {inproc['requests']} requests each (django.test.Client, CPU ms per "
        f"request, medians of 12 batches); {inproc['queries_per_tip']} queries per tip:"
    )
    for key in ("trivial", "tip"):
        row = inproc[key]
        print(
            f"  {key:8} Django {row['django']:6.2f}   PostgreSQL backend {row['postgres']:6.2f}"
            f"   total {row['django'] + row['postgres']:6.2f}"
        )
    trivial_cpu = inproc["trivial"]["django"] + inproc["trivial"]["postgres"]
    tip_cpu = inproc["tip"]["django"] + inproc["tip"]["postgres"]
    print(
        f"in-process: a tip costs {tip_cpu / trivial_cpu:.1f} trivial pages of CPU "
        f"(ratio ceiling without HTTP overhead {trivial_cpu / tip_cpu:.2f})"
    )
    ratios = [one["tip"]["rps"] / one["trivial"]["rps"] for one in rounds]
    ratio = statistics.median(ratios)
    listed = ", ".join(f"{value:.2f}" for value in ratios)
    print(
        f"ratio tip/trivial throughput: {ratio:.2f} (median of the rounds' ratios: {listed}; "
        "target >= 0.50)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_tips")
    parser.add_argument("--redis", default="127.0.0.1:6379")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--in-process-requests", type=int, default=600)
    parser.add_argument("--in-process-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process_child:
        print(json.dumps(in_process(args.in_process_requests)))
        return
    import httpx
    import psycopg
    import redis

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
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
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
                httpx.get(base + TRIVIAL_PATH, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        run_phase(base, TRIVIAL_PATH, 2, args.threads, post=False)  # warm up
        run_phase(base, TIP_PATH, 2, args.threads, post=True)
        rounds = []
        with admin_connection(url) as admin:
            meter = CpuMeter(server.pid, admin, name)
            for _ in range(args.rounds):
                trivial = run_phase(base, TRIVIAL_PATH, args.seconds, args.threads, False, meter)
                tips = run_phase(base, TIP_PATH, args.seconds, args.threads, True, meter)
                rounds.append({"trivial": trivial, "tip": tips})
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        child = subprocess.run(
            [
                python,
                __file__,
                "--in-process-child",
                "--in-process-requests",
                str(args.in_process_requests),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if child.returncode:
            raise SystemExit(f"in-process comparison failed:\n{child.stderr[-3000:]}")
        inproc = json.loads(child.stdout.strip().splitlines()[-1])
        with psycopg.connect(args.database_url.replace("postgres://", "postgresql://")) as db:
            stored = db.execute("SELECT count(*) FROM tipline_tip").fetchone()[0]
        queued = stores[0].llen("celery")
        report(args, url, name, rounds, inproc, stored, queued)
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
