"""Every test here starts with an empty cache and a temporary MEDIA_ROOT."""

import pytest


@pytest.fixture(autouse=True)
def _clean_web_state(web_env):
    yield
