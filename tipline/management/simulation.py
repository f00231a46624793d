"""What sms_simulate and voice_simulate share: the webhook address for a server address, and
a local HTTP server that plays Twilio's media host (the files a worker fetches after the
webhook answered), with an event per file set once it has been fetched."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from django.urls import reverse


def webhook_url(given: str, url_name: str) -> str:
    """The webhook `url_name` on a server address; a URL with a path is taken as it is."""
    if urlsplit(given).path.strip("/"):
        return given
    return given.rstrip("/") + reverse(url_name)


def _index_in_path(path: str) -> int:
    return int(path.rsplit("/", 1)[-1])


def files_server(
    files: list[tuple[bytes, str]], *, pick: Callable[[str], int] = _index_in_path
) -> ThreadingHTTPServer:
    """Serve `files` ((content, content type)) on 127.0.0.1 in a daemon thread; `pick` maps a
    request path to a file's index (by default the path's last segment). The server's
    `fetched` holds an Event per file; shut it down when done."""
    fetched = [threading.Event() for _ in files]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            try:
                index = pick(self.path.split("?", 1)[0])
                data, content_type = files[index]
            except (ValueError, IndexError):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            fetched[index].set()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.fetched = fetched
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
