"""Latency of each signed voice webhook of a call, step by step, beside a trivial view.

Walks whole calls in-process through Django's full request stack (middleware, signature
check, database writes to a fresh SQLite file with the project's settings): the welcome,
the language key, the menu's redirect to <Record>, the message finished (stores the tip and
opens the case through the intake core) and the recording-status callback (queues the
fetch). Twilio waits at most 15 s for an answer; the target here is p95 under 100 ms per
step, as for the SMS webhook.

    .venv/bin/python bench/voice_call.py [--calls 200]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(database: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _line(name: str, timings: list[float]) -> float:
    ordered = sorted(timings)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"{name:<30} n={len(ordered):<5} p50 {statistics.median(ordered):6.2f} ms   "
        f"p95 {p95:6.2f} ms   max {ordered[-1]:7.2f} ms"
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls
    with tempfile.TemporaryDirectory() as directory:
        _setup(Path(directory) / "bench.sqlite3")
        from django.conf import settings
        from django.test import Client
        from twilio.request_validator import RequestValidator

        from accounts.models import District, PhoneNumber, School

        settings.MEDIA_ROOT = directory
        district = District.objects.create(name="Bench", slug="bench")
        school = School.objects.create(district=district, name="Bench High", slug="bench-high")
        PhoneNumber.objects.create(number="+13035550001", district=district, school=school)
        client = Client()
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        base = settings.PUBLIC_BASE_URL + "/"
        steps: dict[str, list[float]] = {}

        def post(step: str, path: str, params: dict):
            signature = validator.compute_signature(urljoin(base, path.lstrip("/")), params)
            started = time.perf_counter()
            response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
            steps.setdefault(step, []).append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 204), (step, response.status_code)
            return ElementTree.fromstring(response.content) if response.content else None  # noqa: S314

        account = settings.TWILIO_ACCOUNT_SID
        for index in range(calls):
            call = {
                "CallSid": f"CA{index:032x}",
                "AccountSid": account,
                "From": f"+1555{index:07d}",
                "To": "+13035550001",
                "CallStatus": "in-progress",
            }
            welcome = post("inbound (911, language)", "/voice/twilio/inbound/", call)
            menu = post(
                "language key", welcome.find("Gather").get("action"), {**call, "Digits": "2"}
            )
            record = post("menu -> record", menu.find("Redirect").text, call).find("Record")
            recording_url = (
                f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/RE{index:032x}"
            )
            recording = {
                "RecordingSid": f"RE{index:032x}",
                "RecordingUrl": recording_url,
                "RecordingDuration": "30",
            }
            post("message in (opens case)", record.get("action"), {**call, **recording})
            post(
                "recording-status callback",
                record.get("recordingStatusCallback"),
                {**call, **recording, "RecordingStatus": "completed"},
            )
        for _warm in range(20):
            client.get("/healthz")
        trivial = []
        for _ in range(calls):
            started = time.perf_counter()
            client.get("/healthz")
            trivial.append((time.perf_counter() - started) * 1000)
        print(f"{calls} calls, in-process, SQLite, 5 signed webhooks each")
        _line("trivial view (/healthz)", trivial)
        worst = max(_line(name, timings) for name, timings in steps.items())
        verdict = "meets" if worst < 100 else "MISSES"
        print(f"slowest step p95 {worst:.2f} ms {verdict} the 100 ms target")


if __name__ == "__main__":
    main()
