"""Signed inbound SMS webhooks per second and their latency, beside a trivial view.

Runs in-process through Django's full request stack (middleware, signature check, database
writes to a fresh SQLite file with the project's settings), so the figures compare the
webhook's own work with the cheapest view in the same run. Target: p95 under 100 ms.

    .venv/bin/python bench/sms_inbound.py [--requests 600]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(database: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(send, count: int) -> list[float]:
    timings = []
    for index in range(count):
        started = time.perf_counter()
        response = send(index)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def _summary(name: str, timings: list[float], wall: float) -> dict:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    figures = {
        "rate": len(timings) / wall,
        "p50": statistics.median(ordered),
        "p95": p95,
        "max": ordered[-1],
    }
    print(
        f"{name:<28} {figures['rate']:8.1f} req/s   p50 {figures['p50']:6.2f} ms   "
        f"p95 {figures['p95']:6.2f} ms   max {figures['max']:7.2f} ms"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    count = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as directory:
        _setup(Path(directory) / "bench.sqlite3")
        from django.conf import settings
        from django.core.cache import cache
        from django.test import Client
        from twilio.request_validator import RequestValidator

        from accounts.models import District, PhoneNumber, School

        settings.SMS_THREAD_RATE_PER_MINUTE = 10_000  # measure the normal path, not floods
        district = District.objects.create(name="Bench", slug="bench")
        school = School.objects.create(district=district, name="Bench High", slug="bench-high")
        PhoneNumber.objects.create(number="+13035550001", district=district, school=school)
        client = Client()
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        url = settings.PUBLIC_BASE_URL + "/sms/twilio/inbound/"

        def inbound(index: int):
            # One new thread in five; the rest are follow-ups joining an open case.
            sender = f"+1555{index // 5:07d}"
            params = {
                "MessageSid": f"SM{index:032x}",
                "AccountSid": settings.TWILIO_ACCOUNT_SID,
                "From": sender,
                "To": "+13035550001",
                "Body": f"bench message {index} about something happening at school",
                "NumMedia": "0",
                "FromCity": "DENVER",
                "FromZip": "80202",
            }
            signature = validator.compute_signature(url, params)
            return client.post("/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature)

        def trivial(index: int):
            return client.get("/healthz")

        for warm in range(20):
            trivial(warm)
        cache.clear()
        print(f"{count} requests each, in-process, SQLite, {settings.SMS_BACKEND}")
        runs = {}
        for name, send in (
            ("trivial view (/healthz)", trivial),
            ("signed inbound webhook", inbound),
        ):
            started = time.perf_counter()
            timings = _timed(send, count)
            runs[name] = _summary(name, timings, time.perf_counter() - started)
        baseline, webhook = runs.values()
        print(
            f"ratio webhook/trivial: p95 {webhook['p95'] / baseline['p95']:.1f}x, "
            f"throughput {baseline['rate'] / webhook['rate']:.1f}x slower"
        )
        verdict = "meets" if webhook["p95"] < 100 else "MISSES"
        print(f"p95 {webhook['p95']:.2f} ms {verdict} the 100 ms target")


if __name__ == "__main__":
    main()
