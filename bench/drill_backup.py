"""Backup and restore drill: pg_dump plus MEDIA_ROOT plus the keys bring every tip back; the
dump without the keys brings back nothing readable.

Runs the production settings (bench/drill_faults.py's Stack: gunicorn, a private Redis, a
throwaway PostgreSQL database) and, through HTTP as a tipster and as Twilio would:
  - submits a web tip with a picture attached and keeps its receipt code;
  - sends two signed texts from one phone (an SMS thread: a case, then a follow-up).
Then performs docs/operations.md's procedure exactly:
  - `pg_dump --format=custom --no-owner` of the database; `tar` of MEDIA_ROOT;
  - drops the original database and deletes the original media (nothing can leak through);
  - `createdb`-equivalent, `pg_restore --no-owner` into a new database, untar the media.
And proves, with Django started against the restored database:
  - same FIELD_ENCRYPTION_KEYS and PRIVACY_HMAC_KEY: the tip text decrypts, the receipt code
    finds the same case (digest lookup), the phone maps to the same reporter and its texts
    decrypt, the attachment decrypts to the same bytes; over HTTP, /followup/ with the receipt
    code shows the tip, and a new signed text from the phone joins the same thread;
  - a wrong field key: no text and no attachment decrypts (the lookups still work);
  - a wrong HMAC key: the receipt code and the phone find nothing (the text still decrypts);
so both keys are part of the backup.

Exits non-zero on any failed check. Cleans up its databases, Redis and files.

    .venv/bin/python bench/drill_backup.py [--keep]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.drill_faults import (  # noqa: E402
    ADMIN_DSN,
    Stack,
    free_port,
    school_number_add,
    seed,
    teardown,
)
from tipline.twilio_client import signature_compute  # noqa: E402

# A name of your own (DRILL_DB_NAME) when several people drill on one PostgreSQL server.
SOURCE_DB = os.environ.get("DRILL_DB_NAME", "drill_backup")
RESTORED_DB = f"{SOURCE_DB}_restored"
SCHOOL = "/s/drill-high/"
SMS_NUMBER = "+13035550002"
PHONE = "+17205550199"
AUTH_TOKEN = "drill-backup-auth-token-0123456789"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(r'id="receipt-code">([^<]+)<')
FAILED = "InvalidToken"


def dsn(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def web_tip(base: str, marker: str) -> str:
    """Submit a tip with a picture through the public form; return its receipt code."""
    with httpx.Client(base_url=base, timeout=60) as client:
        token = CSRF.search(client.get(SCHOOL).text)[1]
        response = client.post(
            SCHOOL,
            data={
                "csrfmiddlewaretoken": token,
                "body": f"Backup drill tip {marker}: someone has a knife in locker 214.",
                "category": "weapon",
                "danger_now": "no",
            },
            files={"files": ("locker.png", png(), "image/png")},
            follow_redirects=True,
        )
    found = RECEIPT.search(response.text)
    if response.status_code != 200 or not found:
        raise SystemExit(f"web tip refused: {response.status_code} {response.text[:300]}")
    return found[1].strip()


def text(base: str, sid: str, body: str) -> None:
    """One inbound text, signed for PUBLIC_BASE_URL + path as Twilio signs it."""
    params = {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": PHONE,
        "To": SMS_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    path = "/sms/twilio/inbound/"
    signature = signature_compute(url=base + path, params=params, secret=AUTH_TOKEN)
    response = httpx.post(
        base + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=60
    )
    if response.status_code != 200 or "<Response" not in response.text:
        raise SystemExit(f"signed text refused: {response.status_code} {response.text[:300]}")


def inspect(receipt: str) -> dict:
    """What Django, under this process's keys, can read back (run in a child process)."""
    import django

    django.setup()
    from accounts.crypto import InvalidToken
    from accounts.privacy import keyed_digest
    from tipline.attachments import attachment_read
    from tipline.models import Attachment, Message, Reporter, Tip
    from tipline.services.web import reporter_for_receipt_code

    def attempt(read):
        try:
            return read()
        except InvalidToken:
            return FAILED

    # Only unencrypted columns are loaded until a read is attempted: a wrong key must show
    # up as the read failing, not as the whole query failing.
    attachment = Attachment.objects.only("id", "storage_name", "tip_id", "size").get()
    tip_id = attachment.tip_id
    found = reporter_for_receipt_code(receipt)
    phone_reporter = (
        Reporter.objects.filter(phone_digest=keyed_digest(PHONE, purpose="phone"))
        .values_list("id", flat=True)
        .first()
    )
    sms_reporters = set(
        Tip.objects.filter(provider_sid__startswith="SM").values_list("reporter_id", flat=True)
    ) | set(Message.objects.filter(direction="in").values_list("reporter_id", flat=True))

    def sms_texts():
        tips = Tip.objects.filter(provider_sid__startswith="SM").order_by("id")
        messages = Message.objects.filter(direction="in").order_by("id")
        return [tip.body for tip in tips] + [message.body for message in messages]

    def picture():
        data = attachment_read(attachment)
        ok = data.startswith(b"\x89PNG") and len(data) == attachment.size
        return {"sha256": hashlib.sha256(data).hexdigest(), "png": ok}

    return {
        "tip_case": Tip.objects.only("case_id").get(id=tip_id).case_id,
        "tip_body": attempt(lambda: Tip.objects.get(id=tip_id).body),
        "receipt_case": (
            Tip.objects.filter(reporter=found).values_list("case_id", flat=True).first()
            if found
            else None
        ),
        "phone_reporter": phone_reporter,
        "sms_reporters": sorted(sms_reporters),
        "sms_texts": attempt(sms_texts),
        "phone_number": attempt(
            lambda: Reporter.objects.get(id=min(sms_reporters)).phone_number_encrypted
        ),
        "attachment": attempt(picture),
    }


def run_inspect(stack: Stack, receipt: str, **overrides: str) -> dict:
    env = {**stack.env, **overrides}
    child = subprocess.run(
        [sys.executable, __file__, "--inspect", receipt],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(f"inspection failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def wait_for(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("gunicorn did not become healthy")


def followup_opens(base: str, receipt: str) -> bool:
    """The tipster's /followup/ accepts the receipt code and opens the thread."""
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
        token = CSRF.search(client.get("/followup/").text)[1]
        page = client.post("/followup/", data={"csrfmiddlewaretoken": token, "code": receipt})
    return page.status_code == 200 and page.url.path == "/followup/thread/"


def expect(problems: list[str], label: str, condition: bool, detail) -> None:
    print(f"  {'ok  ' if condition else 'FAIL'} {label}", flush=True)
    if not condition:
        problems.append(f"{label}: {detail}")


def drill(stack: Stack, workdir: Path, problems: list[str]) -> None:
    marker = secrets.token_hex(4)
    base = stack.env["PUBLIC_BASE_URL"]
    media = Path(stack.env["MEDIA_ROOT"])
    stack.start("web")
    wait_for(base)
    receipt = web_tip(base, marker)
    text(base, "SM" + "1" * 32, f"Backup drill text {marker}: a fight is planned for Friday.")
    text(base, "SM" + "2" * 32, f"Backup drill follow-up {marker}: behind the gym.")
    stack.kill("web")
    before = run_inspect(stack, receipt)
    print(f"before backup: {json.dumps(before)}", flush=True)
    if FAILED in json.dumps(before) or before["receipt_case"] is None:
        raise SystemExit("the data did not read back before the backup: check the drill")

    # The procedure in docs/operations.md, step by step.
    dump, archive = workdir / "tipline.dump", workdir / "tipline-media.tgz"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--dbname={dsn(SOURCE_DB)}", "-f", dump],
        check=True,
    )
    subprocess.run(["tar", "-C", str(media), "-czf", str(archive), "."], check=True)
    print(f"backup: {dump.stat().st_size} bytes dump, {archive.stat().st_size} bytes media")
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{SOURCE_DB}" WITH (FORCE)')
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORED_DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{RESTORED_DB}"')
    shutil.rmtree(media)
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={dsn(RESTORED_DB)}", str(dump)], check=True
    )
    restored_media = workdir / "restored-media"
    restored_media.mkdir()
    subprocess.run(["tar", "-C", str(restored_media), "-xzf", str(archive)], check=True)
    stack.env.update({"DATABASE_URL": dsn(RESTORED_DB), "MEDIA_ROOT": str(restored_media)})
    stack.manage("migrate", "-v0")  # the documented step: a no-op on a current dump

    print("restored, same keys:")
    after = run_inspect(stack, receipt)
    for key in ("tip_body", "receipt_case", "phone_reporter", "sms_texts", "attachment"):
        expect(problems, f"{key} as before the backup", after[key] == before[key], after[key])
    expect(
        problems,
        "receipt code finds the tip's case",
        after["receipt_case"] == after["tip_case"],
        after,
    )
    expect(
        problems,
        "the phone maps to the reporter of the texts",
        after["sms_reporters"] == [after["phone_reporter"]] and after["phone_number"] == PHONE,
        after,
    )
    expect(problems, "attachment is the stored PNG", after["attachment"]["png"], after)

    print("restored, wrong FIELD_ENCRYPTION_KEYS:")
    wrong = run_inspect(stack, receipt, FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode())
    for key in ("tip_body", "sms_texts", "phone_number", "attachment"):
        expect(problems, f"{key} does not decrypt", wrong[key] == FAILED, wrong[key])

    print("restored, wrong PRIVACY_HMAC_KEY:")
    wrong = run_inspect(stack, receipt, PRIVACY_HMAC_KEY=secrets.token_urlsafe(32))
    expect(problems, "receipt code finds nothing", wrong["receipt_case"] is None, wrong)
    expect(problems, "the phone finds no reporter", wrong["phone_reporter"] is None, wrong)

    print("restored, same keys, through gunicorn:")
    stack.start("web")
    wait_for(base)
    expect(
        problems,
        "/followup/ with the receipt code opens the tipster's thread",
        followup_opens(base, receipt),
        "the follow-up page refused the code",
    )
    text(base, "SM" + "3" * 32, f"Backup drill after restore {marker}.")
    stack.kill("web")
    final = run_inspect(stack, receipt)
    expect(
        problems,
        "a new text from the phone joins the same reporter",
        final["sms_reporters"] == [before["phone_reporter"]] and len(final["sms_texts"]) == 3,
        final,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--inspect", metavar="RECEIPT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inspect:
        print(json.dumps(inspect(args.inspect)))
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="drill_backup_"))
    stack = Stack(workdir, free_port())
    redis = f"127.0.0.1:{stack.redis_port}"
    stack.env.update(
        {
            "DATABASE_URL": dsn(SOURCE_DB),
            "CELERY_BROKER_URL": f"redis://{redis}/0",
            "CACHE_URL": f"rediscache://{redis}/1",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "LOG_LEVEL": "WARNING",
        }
    )
    problems: list[str] = []
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        for name in (SOURCE_DB, RESTORED_DB):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{SOURCE_DB}"')
    try:
        stack.redis_start()
        seed(stack)
        school_number_add(stack, SMS_NUMBER)
        drill(stack, workdir, problems)
    finally:
        teardown(stack, databases=(SOURCE_DB, RESTORED_DB), workdir=workdir, keep=args.keep)
    for problem in problems:
        print("FAIL", problem)
    print(
        "backup drill: "
        + ("FAILED" if problems else "passed: restored with the keys, unreadable without")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
