"""gunicorn writes no client address: not in its access log (the format has none), not in its
error log (its own lines about malformed requests name the client; config/gunicorn.py takes
every address out)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from gunicorn.config import Config

from config import gunicorn as gunicorn_settings
from tests.conftest import REPO_ROOT

CLIENT = "127.0.0.2"  # a loopback address of its own, distinct from the bound 127.0.0.1


def _logger(tmp_path: Path, bind: str = "127.0.0.1:8000"):
    cfg = Config()
    for name in ("bind", "errorlog", "accesslog", "logger_class", "access_log_format"):
        value = getattr(gunicorn_settings, name)
        cfg.set(name, value)
    cfg.set("bind", [bind])
    cfg.set("errorlog", str(tmp_path / "error.log"))
    cfg.set("accesslog", str(tmp_path / "access.log"))
    return cfg.logger_class(cfg)


def test_it_takes_addresses_out_of_gunicorns_own_error_lines(tmp_path):
    log = _logger(tmp_path)
    log.warning("Invalid request from ip={ip}: {error}".format(ip="203.0.113.9", error="bad"))
    log.warning("Invalid request from ip=%s: %s", "2001:db8:dead:beef::9", "bad")
    try:
        raise ConnectionError("peer ('198.51.100.4', 51234) reset")
    except ConnectionError:
        log.exception("Error handling request from ::ffff:198.51.100.5")
    log.info("Listening at: http://127.0.0.1:8000 (1)")
    written = (tmp_path / "error.log").read_text()
    for address in ("203.0.113.9", "2001:db8:dead:beef::9", "198.51.100.4", "198.51.100.5"):
        assert address not in written
    assert written.count("Invalid request from ip=[address withheld]: bad") == 2
    assert "ConnectionError: peer ('[address withheld]', 51234) reset" in written
    assert "Listening at: http://127.0.0.1:8000" in written, "its own bound address is kept"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _send_from(client_address: str, port: int, raw: bytes) -> bytes:
    with socket.socket() as sock:
        sock.settimeout(30)
        sock.bind((client_address, 0))
        sock.connect(("127.0.0.1", port))
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        return answer


def test_it_writes_no_client_address_for_malformed_requests_to_a_real_gunicorn(tmp_path):
    try:
        socket.socket().bind((CLIENT, 0))
    except OSError:
        pytest.skip(f"{CLIENT} is not a usable loopback address here")
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.py"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        # The listening socket exists before any worker boots: connections wait in its queue.
        for line in server.stderr:
            if b"Booting worker" in line:
                break
        answers = [
            _send_from(CLIENT, port, b"GET / HTTP/9.9\r\n\r\n"),
            _send_from(CLIENT, port, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
            _send_from(CLIENT, port, b"\x16\x03\x01 not http at all\r\n\r\n"),
        ]
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert all(answer.startswith(b"HTTP/1.1 400") for answer in answers), answers
    logs = (out + err).decode()
    assert logs.count("Invalid request from ip=[address withheld]") == 3, logs
    assert CLIENT not in logs
