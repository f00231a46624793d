"""The client address behind proxies: read from X-Forwarded-For only as far as trusted proxies
vouch for it, so a client can neither hide in the proxy's bucket nor pick a bucket of its own."""

import pytest
from django.core.checks import run_checks
from django.test import RequestFactory

from accounts.checks import NO_TRUSTED_PROXY
from accounts.privacy import rotating_client_key
from tests.conftest import REPO_ROOT

from .test_settings import PRODUCTION_ENV, _manage

NGINX = "127.0.0.1"
STUDENT = "198.51.100.23"
OTHER_STUDENT = "198.51.100.24"


def key(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return rotating_client_key(RequestFactory().get("/", **meta))


def test_it_keys_on_the_peer_and_ignores_forwarded_for_without_a_proxy_setting(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = None, []
    assert key(NGINX, STUDENT) == key(NGINX, OTHER_STUDENT) == key(NGINX)
    assert key(STUDENT, "203.0.113.1") == key(STUDENT)


def test_it_takes_the_hop_the_counted_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = 1, []
    assert key(NGINX, STUDENT) == key(STUDENT)
    assert key(NGINX, STUDENT) != key(NGINX, OTHER_STUDENT)
    # Whatever the client wrote itself sits left of what nginx appended: it changes nothing.
    for spoofed in ("203.0.113.9", "203.0.113.9, 192.0.2.1", "garbage, , 10.0.0.1"):
        assert key(NGINX, f"{spoofed}, {STUDENT}") == key(STUDENT)


def test_it_counts_several_proxies_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = 2, []
    load_balancer = "10.0.0.5"
    assert key(NGINX, f"203.0.113.9, {STUDENT}, {load_balancer}") == key(STUDENT)
    # Fewer hops than proxies: the request did not come through them; the peer is used.
    assert key(NGINX, STUDENT) == key(NGINX)


def test_it_walks_past_trusted_proxy_addresses_only(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = None, ["127.0.0.1", "10.0.0.0/8"]
    assert key(NGINX, f"203.0.113.9, {STUDENT}, 10.1.2.3") == key(STUDENT)
    assert key(NGINX, f"{STUDENT}:51234") == key(STUDENT)
    # A peer that is not a trusted proxy is the client, whatever header it sends.
    assert key(STUDENT, OTHER_STUDENT) == key(STUDENT)
    assert key("::ffff:127.0.0.1", STUDENT) == key(STUDENT)
    # Every hop a trusted proxy: the left-most one.
    assert key(NGINX, "10.9.9.9, 10.1.1.1") == key("10.9.9.9")


def test_it_counts_an_ipv6_client_by_its_64(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = 1, []
    assert key(NGINX, "2001:db8:1:2::1") == key(NGINX, "[2001:db8:1:2:ffff::9]:443")
    assert key(NGINX, "2001:db8:1:2::1") != key(NGINX, "2001:db8:1:3::1")
    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:abcd::1")


@pytest.mark.parametrize(
    ("debug", "count", "proxies", "warned"),
    [
        (False, None, [], True),
        (True, None, [], False),
        (False, 0, [], False),
        (False, 1, [], False),
        (False, None, ["127.0.0.1"], False),
    ],
)
def test_it_warns_in_check_deploy_when_no_proxy_setting_is_made(
    settings, debug, count, proxies, warned
):
    settings.DEBUG, settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = debug, count, proxies
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert (NO_TRUSTED_PROXY in ids) is warned
    assert NO_TRUSTED_PROXY not in {message.id for message in run_checks()}


def test_it_says_so_in_production_check_deploy():
    result = _manage("check", "--deploy", env_overrides=PRODUCTION_ENV, drop=("TRUSTED_PROXIES",))
    assert NO_TRUSTED_PROXY in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"TRUSTED_PROXIES": "10.0.0.1/8"}, "not an IP address or network"),
        ({"TRUSTED_PROXIES": "nginx"}, "not an IP address or network"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be 0 or more"),
        ({"TRUSTED_PROXY_COUNT": "1", "TRUSTED_PROXIES": "127.0.0.1"}, "not both"),
    ],
)
def test_it_refuses_to_start_with_a_malformed_proxy_setting(environment, message):
    result = _manage("check", env_overrides={**PRODUCTION_ENV, **environment})
    assert result.returncode != 0
    assert message in result.stderr


def test_it_has_the_reference_nginx_replace_forwarded_for_and_log_no_access():
    config = (REPO_ROOT / "deploy" / "nginx" / "tipline.conf").read_text()
    directives = [line.split("#")[0].split() for line in config.splitlines()]
    assert ["proxy_set_header", "X-Forwarded-For", "$remote_addr;"] in directives
    assert not any("X-Real-IP" in words for words in directives)
    assert directives.count(["access_log", "off;"]) == 2
