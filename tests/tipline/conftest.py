"""Every test here starts with an empty cache, a temporary MEDIA_ROOT and no sent texts."""

import pytest


@pytest.fixture(autouse=True)
def _clean_intake_state(web_env, sms_fresh_state):
    yield
