"""Every test here starts with an empty cache, a temporary MEDIA_ROOT and no sent texts; and
can read everything any logger writes (`captured_logs`)."""

import io
import logging

import pytest

from config.logging import JsonLineFormatter


@pytest.fixture(autouse=True)
def _clean_intake_state(web_env, sms_fresh_state):
    yield


@pytest.fixture
def captured_logs():
    """Everything any logger writes, through the project's own formatter, at DEBUG."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    handler.setLevel(logging.DEBUG)
    names = ["", "django", "django.request", "django.server", "celery", "twilio"]
    names += ["accounts", "cases", "tipline", "alerts", "workspace", "summaries"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
