"""Two versions of the staff pages timed turn about, in-process, on one kept database.

Usage (from the repository root; a database seeded and kept by bench/queue_pages.py --keep):

    git archive <commit> | tar -x -C /tmp/before && ln -s "$PWD/.venv" /tmp/before/.venv
    .venv/bin/python bench/queue_pages_ab.py --reuse queue_pages_NNNN --before /tmp/before \
        [--after .] [--rounds 30] [--block 5]

Starts one bench process per tree (each imports its own tree's code and signs the bench's
counselor in with bench/queue_pages.py's sign_in), then alternates blocks of --block requests
between them, page by page (the trivial page anonymous and signed in, the case queue, the
home page), for --rounds rounds, the order of the two flipped every round. On a shared
machine both versions so meet the same neighbours: the figures to compare are the ratios of
each page to the same process's anonymous trivial page. Prints wall p50/p95 and the p50 and
minimum of the process's own CPU time (thread_time) per page and version.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PAGES = [
    ("anonymous", "/privacy/"),
    ("staff", "/privacy/"),
    ("staff", "/staff/cases/"),
    ("staff", "/staff/"),
]


def worker(database: str) -> None:
    """Sign in, warm up, then time "WHO URL N" requests read from stdin, one JSON line each."""
    tree = Path.cwd()
    sys.path[:0] = [str(tree), str(tree / "bench")]
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "ERROR",
            "ROLES_CACHE_SECONDS": "60",
        }
    )
    import django

    django.setup()
    import queue_pages  # this tree's bench: its seed's counselor and password
    from django.test import Client

    clients = {"anonymous": Client(), "staff": Client()}
    queue_pages.sign_in(clients["staff"])
    for who, url in PAGES:
        for _ in range(5):
            clients[who].get(url)
    print("ready", flush=True)
    for line in sys.stdin:
        who, url, count = line.split()
        timings = []
        for _ in range(int(count)):
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = clients[who].get(url)
            timings.append(
                ((time.perf_counter() - started) * 1000, (time.thread_time() - started_cpu) * 1000)
            )
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
        print(json.dumps(timings), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", required=True, help="a database kept by queue_pages.py")
    parser.add_argument("--before", required=True, help="the tree of the version before")
    parser.add_argument("--after", default=".", help="the tree of the version after")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--block", type=int, default=5)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options.reuse)
        return
    trees = {"before": Path(options.before).resolve(), "after": Path(options.after).resolve()}
    processes = {}
    for name, tree in trees.items():
        processes[name] = subprocess.Popen(
            [str(tree / ".venv/bin/python"), str(Path(__file__).resolve()), "--worker",
             "--reuse", options.reuse, "--before", "-"],
            cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True,
        )  # fmt: skip
        if processes[name].stdout.readline().strip() != "ready":
            raise SystemExit(f"the {name} tree's bench did not start")
    timings = {(name, who, url): [] for name in trees for who, url in PAGES}
    load_before = os.getloadavg()[0]
    for round_number in range(options.rounds):
        for who, url in PAGES:
            order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
            for name in order:
                process = processes[name]
                process.stdin.write(f"{who} {url} {options.block}\n")
                process.stdin.flush()
                timings[(name, who, url)] += json.loads(process.stdout.readline())
    load_after = os.getloadavg()[0]
    for process in processes.values():
        process.stdin.close()
        process.wait()
    print(
        f"{options.rounds} rounds of {options.block} requests per page and version, turn about;"
        f" load average {load_before:.1f} before, {load_after:.1f} after"
    )
    for name in trees:
        trivial = None
        for who, url in PAGES:
            wall = sorted(w for w, _cpu in timings[(name, who, url)])
            cpu = sorted(c for _w, c in timings[(name, who, url)])
            p50, cpu50 = statistics.median(wall), statistics.median(cpu)
            trivial = trivial or (p50, cpu50)
            p95 = wall[max(0, int(len(wall) * 0.95) - 1)]
            print(
                f"  {name:6} {url + (' (anonymous)' if who == 'anonymous' else ''):26}"
                f" wall p50 {p50:6.2f} ms  p95 {p95:6.2f} ms   CPU p50 {cpu50:6.2f} ms"
                f"  min {cpu[0]:6.2f} ms   x{p50 / trivial[0]:.1f} wall,"
                f" x{cpu50 / trivial[1]:.1f} CPU of trivial"
            )


if __name__ == "__main__":
    main()
