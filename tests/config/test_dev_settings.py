"""The demo's settings hand background work to a worker on a broker folder, unless told
otherwise; the test and production settings keep theirs."""

import json
import os
import subprocess
import sys

from tests.conftest import REPO_ROOT

READ = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
    "'options': s.CELERY_BROKER_TRANSPORT_OPTIONS,"
    "'redirect': s.CELERY_WORKER_REDIRECT_STDOUTS}))"
)


def _dev_settings(**overrides: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", **overrides)
    done = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_it_queues_to_files_for_a_worker_by_default(tmp_path):
    folder = tmp_path / "broker"
    dev = _dev_settings(DEV_BROKER_DIR=str(folder))
    assert dev["broker"] == "filesystem://localhost/"
    assert dev["eager"] is False
    options = dev["options"]
    assert options["data_folder_in"] == options["data_folder_out"] == str(folder / "queue")
    assert (folder / "queue").is_dir() and (folder / "control").is_dir()
    assert dev["redirect"] is False


def test_it_keeps_its_folder_in_the_repository_when_none_is_named():
    dev = _dev_settings(DEV_BROKER_DIR="")
    assert dev["options"]["data_folder_in"] == str(REPO_ROOT / ".dev-broker" / "queue")


def test_it_runs_tasks_in_process_when_the_broker_url_is_empty(tmp_path):
    dev = _dev_settings(CELERY_BROKER_URL="", DEV_BROKER_DIR=str(tmp_path / "unused"))
    assert dev["eager"] is True
    assert not (tmp_path / "unused").exists()


def test_it_uses_a_broker_it_is_given(tmp_path):
    dev = _dev_settings(
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3", DEV_BROKER_DIR=str(tmp_path / "unused")
    )
    assert dev["broker"] == "redis://127.0.0.1:6379/3"
    assert dev["eager"] is False
    assert dev["options"] == {"visibility_timeout": 3600}
    assert not (tmp_path / "unused").exists()


def test_it_leaves_the_test_settings_in_process(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert not hasattr(settings, "DEV_BROKER_DIR")
