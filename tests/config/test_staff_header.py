"""The staff header (config.navigation.StaffHeader) kept without its CSRF token is the header
drawn afresh, whatever changed between two pages: the language, the person's name, the active
item, a badge's count; the token is new on every page and never kept."""

import re

import pytest
from django.test import RequestFactory
from django.utils import translation

from config import navigation
from config.navigation import StaffHeader

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _drawn(path, user) -> tuple[str, str]:
    request = RequestFactory().get(path)
    request.user = user
    html = str(StaffHeader(request, user))
    token = TOKEN.search(html)[1]
    return TOKEN.sub('name="csrfmiddlewaretoken" value="-"', html), token


def test_the_kept_header_is_the_header_drawn_afresh(personas, monkeypatch):
    user = personas.counselor_a
    counts = {}
    monkeypatch.setattr(
        navigation,
        "_badge_counts",
        lambda user, names: {name: counts.get(name, 0) for name in names},
    )
    states = [
        ("en", "/staff/cases/", "Alice Counselor", 0),
        ("en", "/staff/cases/", "Alice Counselor", 3),  # a badge's count
        ("en", "/staff/", "Alice Counselor", 3),  # another active item
        ("en", "/staff/", "Alice <b>Cole</b>", 3),  # another name, escaped
        ("es", "/staff/", "Alice <b>Cole</b>", 3),  # another language
    ]
    navigation._DRAWN.clear()
    seen = set()
    for _round in range(2):  # the second round draws every state from what was kept
        for language, path, name, count in states:
            user.full_name = name
            counts["tipline:case_list"] = count
            with translation.override(language):
                kept, token = _drawn(path, user)
                held = dict(navigation._DRAWN)
                navigation._DRAWN.clear()
                fresh, fresh_token = _drawn(path, user)
                navigation._DRAWN.clear()
                navigation._DRAWN.update(held)
            assert kept == fresh, (language, path, name, count)
            assert token != fresh_token  # masked anew for every page
            assert not any(token in part for parts in held.values() for part in parts)
            seen.add(kept)
    assert len(seen) == len(states)
    assert len(navigation._DRAWN) == len(states)
    assert "Alice &lt;b&gt;Cole&lt;/b&gt;" in kept and 'aria-current="page"' in kept


def test_a_signed_in_page_masks_one_token_for_itself_and_its_header(personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.counselor_a)
    html = client.get("/privacy/").content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    tokens |= set(re.findall(r'"X-CSRFToken": "([^"]+)"', html))
    assert len(tokens) == 1
    again = client.get("/privacy/").content.decode()
    assert TOKEN.search(again)[1] not in tokens  # a new masking per response
    # The shared token is a good one: signing out with it passes the CSRF check; a forged
    # one does not.
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens.pop()})
    assert response.status_code == 302
