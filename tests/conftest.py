"""Fixtures shared by the whole suite: personas, logged-in clients, browser and worker."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .personas import Personas, build_personas

# Shared fixtures (web_env, sms_fresh_state, numbers): each folder's conftest.py turns on
# the ones it needs.
pytest_plugins = ["tests.fixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Browser tests wait on conditions only (expect(), wait_for_url, locator.wait_for), never for
# a fixed time. This is the ceiling of every such wait: generous, so that a loaded machine
# passes, and reached only by a test that is failing anyway.
BROWSER_TIMEOUT_MS = int(os.environ.get("TIPLINE_BROWSER_TIMEOUT_MS", "60000"))
# To rehearse a loaded machine, slow Chromium's CPU down this many times (Chrome DevTools'
# CPU throttling): TIPLINE_BROWSER_CPU_THROTTLE=6 make test PYTEST_ARGS="-m browser".
BROWSER_CPU_THROTTLE = float(os.environ.get("TIPLINE_BROWSER_CPU_THROTTLE", "1"))
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _auth_cache_trusted():
    """A test that took the cache down (an outage drill) leaves this process distrusting
    kept sign-ins for AUTH_CACHE_SECONDS (accounts/auth_cache.py): the next test starts
    from a process that trusts them, whatever ran before it."""
    from accounts.auth_cache import failures_forget

    failures_forget()
    yield


@pytest.fixture
def personas(db) -> Personas:
    return build_personas()


@pytest.fixture
def client_for(client):
    """Log a persona in (with a verified second factor where it matters) and return the client."""

    def login(user):
        client.force_login(user)
        return client

    return login


# --- Browser tests -------------------------------------------------------------------------


def _browser_required() -> bool:
    return bool(os.environ.get("TIPLINE_REQUIRE_BROWSER"))


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright. Skips (with the reason) where it is absent,
    except where TIPLINE_REQUIRE_BROWSER is set (.ci/run), where absence fails the test."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} not installed (apt-get install chromium) - browser test skipped"
        if _browser_required():
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the same
    # thread (the test's own setup) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium, live_server):
    """Open a browser context on the live server (keyword arguments: Playwright's), with the
    suite's wait ceiling and CPU throttle; every context is closed after the test."""
    contexts = []

    def throttle(page) -> None:
        session = page.context.new_cdp_session(page)
        session.send("Emulation.setCPUThrottlingRate", {"rate": BROWSER_CPU_THROTTLE})

    def open_context(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", PHONE)
        context = chromium.new_context(**options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        if BROWSER_CPU_THROTTLE > 1:
            context.on("page", throttle)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def artifacts_dir() -> Path:
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


# --- A real Celery worker ------------------------------------------------------------------


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real `celery worker` process on Redis, sharing this test's database.

    Needs CELERY_TEST_BROKER_URL (set by .ci/run). Tests using it must use committed data
    (`transactional_db`), since the worker reads through its own connection.
    """
    broker = os.environ.get("CELERY_TEST_BROKER_URL")
    if not broker:
        message = "CELERY_TEST_BROKER_URL not set (a Redis URL) - real-worker test skipped"
        if os.environ.get("TIPLINE_REQUIRE_WORKER"):
            pytest.fail(message)
        pytest.skip(message)
    from django.db import connection

    from config.celery import app

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        pytest.skip("the real-worker tests need PostgreSQL (DATABASE_URL)")
    database_url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.worker_test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
    }
    # Celery keeps Django-sourced settings under their CELERY_ names.
    saved = {key: app.conf.get(key) for key in ("CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER")}
    app.conf.update(CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER=False)
    # Once any task has run, the app's configuration and connection pool are settled under
    # Celery's own names: point those at the broker too, and drop the stale pool.
    saved.update(broker_url=app.conf.broker_url, task_always_eager=app.conf.task_always_eager)
    app.conf.update(broker_url=broker, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "purge", "-f"],
        cwd=REPO_ROOT,
        env=env,
        check=False,
        capture_output=True,
    )
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    process = subprocess.Popen(
        [
            celery,
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_worker(app)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        app.conf.update(saved)


def _wait_for_worker(app, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0)
        if replies:
            return
    raise RuntimeError("the Celery worker did not answer a ping within 30 s")
